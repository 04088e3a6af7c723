"""Berinia's own tables (not ours: managed = False), with the columns the exporter reads or writes.

Berinia's schema lets every one of these columns be NULL, and NULL is what its other tools write, so the
string fields are nullable here too (hence the DJ001 exemption).
"""
# ruff: noqa: DJ001

from django.db import models


class BeriniaNiche(models.Model):
    name = models.CharField(max_length=100)
    description = models.TextField(null=True, blank=True)
    status = models.CharField(max_length=50, null=True, blank=True)

    class Meta:
        managed = False
        db_table = "niches"

    def __str__(self):
        return self.name


class BeriniaCampaign(models.Model):
    name = models.CharField(max_length=100)
    description = models.TextField(null=True, blank=True)
    niche = models.ForeignKey(BeriniaNiche, null=True, on_delete=models.DO_NOTHING, db_column="niche_id")
    agent = models.CharField(max_length=100, null=True, blank=True)
    status = models.CharField(max_length=50, null=True, blank=True)
    target_leads = models.IntegerField(null=True, blank=True)

    class Meta:
        managed = False
        db_table = "campaigns"

    def __str__(self):
        return f"{self.name} (#{self.pk})"


class BeriniaLead(models.Model):
    first_name = models.CharField(max_length=100, null=True)
    last_name = models.CharField(max_length=100, null=True)
    email = models.CharField(max_length=255, null=True)
    phone = models.CharField(max_length=50, null=True)
    company = models.CharField(max_length=255, null=True)
    entreprise = models.CharField(max_length=255, null=True)
    position = models.CharField(max_length=100, null=True)
    website = models.CharField(max_length=255, null=True)
    industry = models.CharField(max_length=100, null=True)
    source = models.CharField(max_length=100, null=True)
    niche = models.ForeignKey(BeriniaNiche, null=True, on_delete=models.DO_NOTHING, db_column="niche_id")
    campaign = models.ForeignKey(BeriniaCampaign, null=True, on_delete=models.DO_NOTHING, db_column="campagne_id")
    status = models.CharField(max_length=50, null=True)
    score = models.IntegerField(null=True)
    score_details = models.JSONField(null=True)
    contact_status = models.CharField(max_length=50, null=True)

    class Meta:
        managed = False
        db_table = "leads"

    def __str__(self):
        return f"lead #{self.pk} {self.email or ''}"
