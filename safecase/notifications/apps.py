from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "safecase.notifications"
    label = "notifications"
    verbose_name = "Notifications: telling members in-app that work waits for them"
