"""Units and recipient groups, read through the directory's selectors (the directory page's
rule: people with the directory role)."""

from __future__ import annotations

from django.http import Http404
from rest_framework import generics, permissions, serializers, viewsets
from rest_framework.response import Response

from recipients.models import Unit, User
from recipients.selectors import GroupEntry, directory_groups, directory_units


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
    """Active units, by kind and name; `q` searches name and code, `kind` filters."""

    lookup_value_converter = "int"

    serializer_class = UnitSerializer
    permission_classes = [permissions.IsAuthenticated, CanReadDirectory]

    def get_queryset(self):
        params = self.request.query_params
        return directory_units(query=params.get("q", ""), kind=params.get("kind", ""))


class GroupViewSet(viewsets.GenericViewSet):
    """Recipient groups with their current units (members and units of the group's kinds)."""

    lookup_value_converter = "int"

    serializer_class = GroupSerializer
    permission_classes = [permissions.IsAuthenticated, CanReadDirectory]

    def list(self, request):
        page = self.paginate_queryset(directory_groups(query=request.query_params.get("q", "")))
        return self.get_paginated_response(GroupSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        for entry in directory_groups():
            if str(entry.group.pk) == str(pk):
                return Response(GroupSerializer(entry).data)
        raise Http404


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
