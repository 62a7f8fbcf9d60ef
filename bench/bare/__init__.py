"""The bare-view baseline of `make bench`: a Django project with one view doing one INSERT per POST."""
