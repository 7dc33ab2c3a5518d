"""The issuing agency's tracking matrix of a directive as JSON: a row per recipient unit (a
page of rows at a time), the receipt cell, a cell per task and the unit's receiving status
(01..06), built by the page's `matrix_build`."""

from __future__ import annotations

from rest_framework import serializers

from directives.selectors.matrix import Matrix, Row


class CellSerializer(serializers.Serializer):
    state = serializers.CharField()
    label = serializers.CharField()
    title = serializers.CharField()
    assignment = serializers.IntegerField(source="assignment_id", allow_null=True)
    extension_pending = serializers.BooleanField()


class ReceivingSerializer(serializers.Serializer):
    code = serializers.CharField()
    words = serializers.CharField()
    detail = serializers.CharField()


class MatrixRowSerializer(serializers.Serializer):
    dispatch = serializers.IntegerField(source="dispatch.pk")
    unit = serializers.IntegerField(source="dispatch.unit_id")
    unit_name = serializers.CharField(source="dispatch.unit.name")
    receipt = CellSerializer()
    cells = CellSerializer(many=True)
    late = serializers.BooleanField()
    receiving = ReceivingSerializer()


class MatrixTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    position = serializers.IntegerField()
    title = serializers.CharField()
    deadline = serializers.DateField(allow_null=True)


class MatrixPageSerializer(serializers.Serializer):
    """The page's pagination (`count`, `next`, `previous`, `results`: the rows) with the
    matrix's columns and totals."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    total = serializers.IntegerField(help_text="Recipient units of the directive, unfiltered")
    tasks = MatrixTaskSerializer(many=True)
    summary = serializers.ListField(child=serializers.CharField())
    results = MatrixRowSerializer(many=True)


def matrix_page(matrix: Matrix, rows: list[Row], paginator) -> dict:
    """The paginated answer: the paginator's own keys, then the matrix's."""
    data = dict(paginator.get_paginated_response(MatrixRowSerializer(rows, many=True).data).data)
    data["total"] = matrix.total
    data["tasks"] = MatrixTaskSerializer(matrix.tasks, many=True).data
    data["summary"] = [str(line) for line in matrix.summary]
    return data


__all__ = ["MatrixPageSerializer", "matrix_page"]
