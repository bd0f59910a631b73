// A passkey just added (django-otp-webauthn's registration script) shows in the list after a reload.
document.addEventListener("otp_webauthn.register_complete", function () {
  window.location.reload();
});
