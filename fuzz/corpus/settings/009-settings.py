DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': 'cms',
        'USER': 'django',
        'PASSWORD': 'PLANTED-s3cret',
        'HOST': 'cms-db.c9akciq32.eu-west-1.rds.amazonaws.com',
        'PORT': '5432',
        'OPTIONS': {'sslmode': 'require'},
    }
}
