from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "safecase.accounts"
    label = "accounts"
