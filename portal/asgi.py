import os

from django.core.asgi import get_asgi_application

from portal.heap import heap_settle

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_asgi_application()

heap_settle()
