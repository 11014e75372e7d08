"""The registry's tables as unmanaged models: Django reads them, Alembic owns them."""

from django.db import models


class User(models.Model):
    username = models.CharField(max_length=64, primary_key=True)
    is_admin = models.BooleanField()

    class Meta:
        managed = False
        db_table = "users"


class AccessToken(models.Model):
    id = models.CharField(max_length=64, primary_key=True)
    user = models.ForeignKey(User, models.DO_NOTHING, db_column="username")
    secret_hash = models.CharField(max_length=128, unique=True)

    class Meta:
        managed = False
        db_table = "access_tokens"


class Log(models.Model):
    slug = models.CharField(max_length=64, unique=True)
    visibility = models.CharField(max_length=16)

    class Meta:
        managed = False
        db_table = "logs"


class LogMember(models.Model):
    # The table's key is (log_id, username); Django needs one column to call the key.
    log = models.ForeignKey(Log, models.DO_NOTHING, primary_key=True)
    user = models.ForeignKey(User, models.DO_NOTHING, db_column="username")
    role = models.CharField(max_length=16)

    class Meta:
        managed = False
        db_table = "log_members"


class Decision(models.Model):
    log = models.ForeignKey(Log, models.DO_NOTHING, related_name="decisions")
    number = models.IntegerField()
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=16)
    date = models.DateField()
    review_by = models.DateField(null=True)
    version = models.IntegerField()
    content = models.JSONField()
    decision_makers = models.JSONField()
    consulted = models.JSONField()
    informed = models.JSONField()
    tags = models.JSONField()
    links = models.JSONField()

    class Meta:
        managed = False
        db_table = "decisions"
