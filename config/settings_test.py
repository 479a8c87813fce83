"""Test settings: production security settings, with fast hashing and in-process tasks.

Only what tests cannot do otherwise is changed here; everything else is the real configuration.
"""

import os

os.environ["SAFECASE_IGNORE_DOTENV"] = "1"
os.environ.setdefault("SAFECASE_DEBUG", "0")
os.environ.setdefault("SAFECASE_SECRET_KEY", "test-secret-key-" + "k3y9" * 12)
os.environ.setdefault("SAFECASE_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SAFECASE_FILE_KEYS", "test:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
# The test client speaks plain HTTP; redirects to HTTPS are asserted separately.
os.environ.setdefault("SAFECASE_SSL_REDIRECT", "0")
# Files count as clean at once; the scanning tests choose a scanner themselves (clamscan with a
# signature database of their own), as no test may depend on ClamAV's downloaded signatures.
os.environ.setdefault("SAFECASE_AV_MODE", "off")

from config.settings import *  # noqa: F403

# Argon2 stays available (and is asserted in a test); MD5 first keeps fixtures fast.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
