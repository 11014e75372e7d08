from django.urls import path

from adrs.views import DecisionDetail, DecisionList

urlpatterns = [
    path("v1/logs/<slug:log>/decisions/<int:n>", DecisionDetail.as_view()),
    path("v1/logs/<slug:log>/decisions", DecisionList.as_view()),
]
