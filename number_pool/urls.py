from django.urls import path

from . import views

app_name = "number_pool"

urlpatterns = [
    path("numbers/", views.number_list, name="number_list"),
    path("numbers/add/", views.numbers_add, name="numbers_add"),
]
