"""The console's authentication and administration routes, as one router for the app."""

from fastapi import APIRouter

from backend.console import routes_admin, routes_auth, routes_canned, routes_directory

router = APIRouter()
router.include_router(routes_auth.router)
router.include_router(routes_directory.router)
router.include_router(routes_canned.router)
router.include_router(routes_admin.router)
