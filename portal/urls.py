from django.urls import path

from portal import devices, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("referrals/<int:pk>/accept/", views.accept, name="accept"),
    path("referrals/<int:pk>/decline/", views.decline, name="decline"),
    path("referrals/<int:pk>/contacted/", views.contacted, name="contacted"),
    path("referrals/<int:pk>/close/", views.close, name="close"),
    path("referrals/<int:pk>/attempt/", views.contact_attempt, name="contact_attempt"),
    path("profile/", views.profile, name="profile"),
    path("availability/", views.availability, name="availability"),
    path("devices/", devices.device_list, name="devices"),
    path("devices/<int:pk>/sign-out/", devices.sign_out_device, name="sign_out_device"),
    path("devices/sign-out-others/", devices.sign_out_others, name="sign_out_others"),
]
