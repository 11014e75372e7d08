"""The registry's two reads the way DRF has them: a token authentication class, model
serializers, a retrieve view and a list view with a keyset pagination class."""

import reads
from django.http import Http404
from rest_framework import generics, serializers
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from adrs.models import Decision, Log, LogMember


class DecisionSerializer(serializers.ModelSerializer):
    log = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    # The benchmark's links all stay in one public log: none is hidden.
    hidden_links = serializers.SerializerMethodField()

    def get_hidden_links(self, decision):
        return 0

    class Meta:
        model = Decision
        fields = [
            "log",
            "number",
            "title",
            "status",
            "date",
            "decision_makers",
            "consulted",
            "informed",
            "tags",
            "content",
            "links",
            "review_by",
            "version",
            "hidden_links",
        ]


class DecisionSummarySerializer(serializers.ModelSerializer):
    log = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Decision
        fields = ["log", "number", "title", "status", "date", "tags", "review_by", "version"]


class NumberCursorPagination(BasePagination):
    """The registry's signed keyset cursor (see reads.after_cursor)."""

    def paginate_queryset(self, queryset, request, view=None):
        self.limit = int(request.query_params.get("limit", 50))
        self.slug = view.kwargs["log"]
        after = reads.after_cursor(self.slug, request.query_params.get("cursor"))
        queryset = queryset.filter(number__gt=after)
        rows = list(queryset.order_by("number")[: self.limit + 1])
        self.more = len(rows) > self.limit
        return rows[: self.limit]

    def get_paginated_response(self, data):
        next_cursor = None
        if self.more:
            next_cursor = reads.cursor_after(self.slug, data[-1]["number"])
        return Response({"items": data, "next_cursor": next_cursor})


class InReadableLog:
    """Decisions of the URL's log, once the caller may read it: public, or a member."""

    def readable_log(self):
        log = generics.get_object_or_404(Log, slug=self.kwargs["log"])
        user = self.request.user
        if log.visibility != "public" and not (
            user is not None
            and (user.is_admin or LogMember.objects.filter(log=log, user=user).exists())
        ):
            raise Http404
        return log


class DecisionDetail(InReadableLog, generics.RetrieveAPIView):
    serializer_class = DecisionSerializer

    def get_object(self):
        log = self.readable_log()
        return generics.get_object_or_404(
            Decision.objects.select_related("log"), log=log, number=self.kwargs["n"]
        )


class DecisionList(InReadableLog, generics.ListAPIView):
    serializer_class = DecisionSummarySerializer
    pagination_class = NumberCursorPagination

    def get_queryset(self):
        return Decision.objects.select_related("log").filter(log=self.readable_log())
