from django.urls import path

from . import factor_views, token_views, user_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("tokens/", token_views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", token_views.api_token_revoke, name="api_token_revoke"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password/reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # The second factor (#17): the login's second step, and a user's own factors.
    path("two-factor/verify/", factor_views.second_factor, name="second_factor"),
    path("two-factor/", factor_views.two_factor, name="two_factor"),
    path("two-factor/app/", factor_views.totp_add, name="totp_add"),
    path("two-factor/recovery-codes/", factor_views.recovery_codes, name="recovery_codes"),
    path("two-factor/<str:kind>/<int:pk>/remove/", factor_views.factor_remove, name="factor_remove"),
    path("users/", user_views.user_list, name="user_list"),
    path("users/<int:pk>/", user_views.user_detail, name="user_detail"),
    path("users/<int:pk>/reset-two-factor/", user_views.user_reset_factors, name="user_reset_factors"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/export.csv", views.audit_export_csv, name="audit_export_csv"),
]
