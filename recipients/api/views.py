"""Units and recipient groups, read through the directory's selectors (the directory page's
rule: people with the directory role), written by administrators through the services."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, permissions, serializers, status, viewsets
from rest_framework.response import Response

from recipients.models import RecipientGroup, Unit, User
from recipients.selectors import GroupEntry, directory_groups, directory_units
from recipients.services import InUseError, group_delete, group_save, unit_delete, unit_save


class InUse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "in_use"


def _deleted(delete, **target) -> Response:
    try:
        delete(**target)
    except InUseError as exc:
        raise InUse(exc.message) from exc
    return Response(status=status.HTTP_204_NO_CONTENT)


class CanReadDirectory(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("recipients.view_directory"))


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = (
            "id",
            "code",
            "name",
            "short_name",
            "abbreviation",
            "identifier_code",
            "kind",
            "parent",
            "is_external",
        )
        read_only_fields = fields


class UnitInput(serializers.ModelSerializer):
    """The fields an administrator writes; the service checks them against the model."""

    class Meta:
        model = Unit
        fields = (
            "code",
            "name",
            "short_name",
            "abbreviation",
            "identifier_code",
            "kind",
            "parent",
            "contact_emails",
            "head_title",
            "is_external",
            "has_normative_register",
            "is_active",
            "sort_order",
        )
        # The model's own checks run once, in the service (unit_save's full_clean).
        extra_kwargs = {name: {"validators": []} for name in fields}


class GroupInput(serializers.Serializer):
    code = serializers.SlugField(max_length=50, required=False)
    name = serializers.CharField(max_length=255, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    kinds = serializers.ListField(child=serializers.CharField(), required=False)
    sort_order = serializers.IntegerField(min_value=0, required=False)
    members = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), many=True, required=False
    )


class GroupSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="group.pk", read_only=True)
    code = serializers.CharField(source="group.code", read_only=True)
    name = serializers.CharField(source="group.name", read_only=True)
    description = serializers.CharField(source="group.description", read_only=True)
    kinds = serializers.ListField(child=serializers.CharField(), source="group.kinds")
    units = serializers.SerializerMethodField()

    def get_units(self, entry: GroupEntry) -> list[int]:
        return [unit.pk for unit in entry.units]


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Active units, by kind and name; `q` searches name and code, `kind` filters. Only
    administrators add (POST), change (PATCH) and delete (DELETE) units."""

    lookup_value_converter = "int"

    serializer_class = UnitSerializer
    permission_classes = [permissions.IsAuthenticated, CanReadDirectory]

    def get_queryset(self):
        params = self.request.query_params
        return directory_units(query=params.get("q", ""), kind=params.get("kind", ""))

    @extend_schema(request=UnitInput, responses={201: UnitSerializer})
    def create(self, request):
        data = UnitInput(data=request.data)
        data.is_valid(raise_exception=True)
        unit = unit_save(by=request.user, unit=None, fields=dict(data.validated_data))
        return Response(UnitSerializer(unit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UnitInput, responses=UnitSerializer)
    def partial_update(self, request, pk=None):
        unit = get_object_or_404(Unit.objects.all(), pk=pk)  # inactive units too
        data = UnitInput(unit, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        unit = unit_save(by=request.user, unit=unit, fields=dict(data.validated_data))
        return Response(UnitSerializer(unit).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        """Delete a unit nothing refers to; one with letters, dispatches, books or officers is
        a 409 (deactivate it with PATCH `is_active: false` instead)."""
        unit = get_object_or_404(Unit.objects.all(), pk=pk)
        return _deleted(unit_delete, by=request.user, unit=unit)


class GroupViewSet(viewsets.GenericViewSet):
    """Recipient groups with their current units (members and units of the group's kinds)."""

    lookup_value_converter = "int"

    serializer_class = GroupSerializer
    permission_classes = [permissions.IsAuthenticated, CanReadDirectory]

    def list(self, request):
        page = self.paginate_queryset(directory_groups(query=request.query_params.get("q", "")))
        return self.get_paginated_response(GroupSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(GroupSerializer(self._entry(pk)).data)

    def _entry(self, pk) -> GroupEntry:
        for entry in directory_groups():
            if str(entry.group.pk) == str(pk):
                return entry
        raise Http404

    def _save(self, request, group, code: int) -> Response:
        data = GroupInput(data=request.data, partial=group is not None)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        members = fields.pop("members", None)
        saved = group_save(by=request.user, group=group, fields=fields, members=members)
        return Response(GroupSerializer(self._entry(saved.pk)).data, status=code)

    @extend_schema(request=GroupInput, responses={201: GroupSerializer})
    def create(self, request):
        return self._save(request, None, status.HTTP_201_CREATED)

    @extend_schema(request=GroupInput, responses=GroupSerializer)
    def partial_update(self, request, pk=None):
        group = get_object_or_404(RecipientGroup.objects.all(), pk=pk)
        return self._save(request, group, status.HTTP_200_OK)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        """Delete a group no letter names (a 409 otherwise)."""
        group = get_object_or_404(RecipientGroup.objects.all(), pk=pk)
        return _deleted(group_delete, by=request.user, group=group)


class MeSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ("id", "username", "full_name", "title", "unit")
        read_only_fields = fields


class MeView(generics.RetrieveAPIView):
    """Who the token (or the session) speaks for: the person and their unit."""

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user
