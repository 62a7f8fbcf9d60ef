"""Staff's roster in Django admin: providers, networks, specialties, languages, profile changes.

Status is read-only on the form: "Set active" / "Set inactive" call `set_provider_status`, so the
policy for inactive providers always applies. Availability (accepting new clients, away dates,
weekly limit) is edited on the form but saved through `set_availability`, so every change is in
the provider's history (shown on the form). The roster imports from CSV (upload, preview of a
dry run, confirm) and exports to CSV. Provider-proposed profile changes are approved or rejected
here through `providers.services`. "Sign out everywhere" ends every session of the selected
providers (`providers.devices`).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from config.actors import Actor
from config.flash import flash
from config.phones import parse_phone
from providers import devices, services
from providers.availability import availability
from providers.models import InsuranceNetwork, Language, ProfileChange, Provider, Specialty
from providers.needs import PROVIDER_MODALITIES, CareFor
from providers.roster_csv import COLUMNS, RosterInvalid, export_roster, import_roster

MAX_IMPORT_BYTES = 5 * 1024 * 1024
HISTORY_SHOWN = 20


def _photo(photo_id, size=96):
    if not photo_id:
        return "—"
    url = reverse("providers:photo", args=[photo_id])
    return format_html('<img src="{}" width="{}" height="{}" alt="">', url, size, size)


def _csv_response(text: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="providers-{stamp}.csv"'
    return response


class ImportForm(forms.Form):
    file = forms.FileField(label="Roster CSV file", help_text="Columns: " + ", ".join(COLUMNS))


class ConfirmForm(forms.Form):
    data = forms.CharField(widget=forms.HiddenInput, strip=False)


class ProviderAdminForm(forms.ModelForm):
    """Populations and modalities as checkboxes (stored as lists of `providers.needs` values)."""

    populations = forms.MultipleChoiceField(
        choices=CareFor.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    modalities = forms.MultipleChoiceField(
        choices=PROVIDER_MODALITIES, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Provider
        fields = "__all__"  # noqa: DJ007 (the admin narrows it with its own settings)

    def clean_phone(self):
        return parse_phone(self.cleaned_data["phone"])

    def clean_office_phone(self):
        return parse_phone(self.cleaned_data["office_phone"])


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    form = ProviderAdminForm
    list_display = ("name", "credentials", "email", "status", "taking", "networks")
    list_filter = ("status", "insurance_networks", "specialties", "languages")
    search_fields = ("first_name", "last_name", "email")
    filter_horizontal = ("insurance_networks", "specialties", "languages")
    readonly_fields = ("status", "current_photo", "user", "created_at", "availability_history")
    exclude = ("photo",)
    actions = ("set_active", "set_inactive", "sign_out_everywhere", "export_csv")

    def get_queryset(self, request):
        return (
            super().get_queryset(request).with_availability().prefetch_related("insurance_networks")
        )

    @admin.display(description="availability history")
    def availability_history(self, obj):
        """The newest changes (who, when, old, new); all are kept."""
        rows = obj.availability_changes.all()[:HISTORY_SHOWN] if obj.pk else []
        return (
            format_html_join(
                "",
                "<p>{} · {}: {} → {} · {}</p>",
                (
                    (
                        timezone.localtime(c.at).strftime("%Y-%m-%d %H:%M"),
                        c.field,
                        c.old or "—",
                        c.new or "—",
                        c.actor_label,
                    )
                    for c in rows
                ),
            )
            or "—"
        )

    @admin.display(description="new referrals")
    def taking(self, obj):
        return availability(obj).staff_label or "Yes"

    def save_model(self, request, obj, form, change):
        """Everything but availability saves as usual; availability through the service."""
        wanted = {name: getattr(obj, name) for name in services.AVAILABILITY_FIELDS}
        if change:
            stored = Provider.objects.filter(pk=obj.pk).values(*wanted).get()
            for name, value in stored.items():
                setattr(obj, name, value)
        else:
            for name in wanted:
                setattr(obj, name, Provider._meta.get_field(name).get_default())
        super().save_model(request, obj, form, change)
        services.set_availability(obj, actor=Actor.for_user(request.user), **wanted)

    @admin.display(description="insurance networks")
    def networks(self, obj):
        return ", ".join(n.name for n in obj.insurance_networks.all()) or "—"

    @admin.display(description="photo")
    def current_photo(self, obj):
        return _photo(obj.photo_id)

    def _set_status(self, request, queryset, status):
        actor = Actor.for_user(request.user)
        changed = declined = held = 0
        for provider in queryset:
            result = services.set_provider_status(provider, status, actor=actor)
            changed += result.changed
            declined += len(result.declined)
            held += result.still_held
        flash(request, messages.SUCCESS, "providers_status_set", changed=changed, status=status)
        if declined:
            flash(request, messages.INFO, "waiting_referrals_declined", declined=declined)
        if held:
            flash(request, messages.WARNING, "accepted_referrals_kept", held=held)

    @admin.action(description="Set active", permissions=["change"])
    def set_active(self, request, queryset):
        self._set_status(request, queryset, Provider.Status.ACTIVE)

    @admin.action(
        description="Set inactive (declines referrals waiting for them)", permissions=["change"]
    )
    def set_inactive(self, request, queryset):
        self._set_status(request, queryset, Provider.Status.INACTIVE)

    @admin.action(description="Sign out everywhere (every device)", permissions=["change"])
    def sign_out_everywhere(self, request, queryset):
        actor = Actor.for_user(request.user)
        ended = 0
        for provider in queryset.filter(user__isnull=False).select_related("user"):
            ended += devices.sign_out_everywhere(provider.user, actor)
        flash(request, messages.SUCCESS, "providers_signed_out_everywhere", ended=ended)

    @admin.action(description="Export selected to CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return _csv_response(export_roster(queryset))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import-csv/", view(self.import_view), name="providers_provider_import"),
            path("export-csv/", view(self.export_view), name="providers_provider_export"),
            *super().get_urls(),
        ]

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return _csv_response(export_roster())

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta}
        form, errors, summary, confirm = ImportForm(), [], None, None
        if request.method == "POST" and "confirm" in request.POST:
            confirm = ConfirmForm(request.POST)
            if confirm.is_valid():
                try:
                    summary = import_roster(
                        confirm.cleaned_data["data"], actor=Actor.for_user(request.user)
                    )
                except RosterInvalid as invalid:
                    errors = invalid.errors
                else:
                    flash(request, messages.SUCCESS, "roster_imported", summary=summary)
                    return redirect("admin:providers_provider_changelist")
        elif request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                if upload.size > MAX_IMPORT_BYTES:
                    form.add_error(
                        "file", "The file is larger than 5 MB; use manage.py import_providers."
                    )
                else:
                    data = upload.read()
                    try:
                        summary = import_roster(
                            data, actor=Actor.for_user(request.user), dry_run=True
                        )
                    except RosterInvalid as invalid:
                        errors = invalid.errors
                    else:
                        text = data.decode("utf-8-sig")
                        confirm = ConfirmForm(initial={"data": text})
        context.update(
            title="Import providers from CSV",
            form=form,
            errors=errors,
            summary=summary,
            confirm=confirm,
            columns=COLUMNS,
        )
        return TemplateResponse(request, "providers/admin_import.html", context)


@admin.register(InsuranceNetwork)
class InsuranceNetworkAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(ProfileChange)
class ProfileChangeAdmin(admin.ModelAdmin):
    list_display = ("provider", "status", "created_at", "summary")
    list_filter = ("status",)
    list_select_related = ("provider",)
    search_fields = ("provider__first_name", "provider__last_name", "provider__email")
    fields = (
        "provider",
        "status",
        "created_at",
        "summary",
        "new_photo",
        "decided_at",
        "decided_by",
    )
    readonly_fields = fields
    actions = ("approve", "reject")

    def has_add_permission(self, request):
        return False

    @admin.display(description="proposed")
    def summary(self, obj):
        proposed = obj.proposed
        items = []
        if "bio" in proposed:
            items.append(("Biography", proposed["bio"] or "(empty)"))
        for key, model in (("specialties", Specialty), ("languages", Language)):
            if key in proposed:
                names = model.objects.filter(pk__in=proposed[key]).values_list("name", flat=True)
                items.append((key.capitalize(), ", ".join(names) or "(none)"))
        if obj.photo_id:
            items.append(("Photo", "a new photo"))
        return format_html_join("", "<p><strong>{}:</strong> {}</p>", items) or "—"

    @admin.display(description="new photo")
    def new_photo(self, obj):
        return _photo(obj.photo_id, 160)

    def _decide(self, request, queryset, decide, done: str):
        actor = Actor.for_user(request.user)
        count = sum(decide(change, actor=actor) for change in queryset)
        flash(request, messages.SUCCESS, done, count=count)

    @admin.action(description="Approve: publish on the provider page", permissions=["change"])
    def approve(self, request, queryset):
        self._decide(request, queryset, services.approve_profile_change, "profile_changes_approved")

    @admin.action(description="Reject", permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, services.reject_profile_change, "profile_changes_rejected")
