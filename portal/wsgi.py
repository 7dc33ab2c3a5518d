import os

from django.core.wsgi import get_wsgi_application

from portal.heap import heap_settle

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

heap_settle()
