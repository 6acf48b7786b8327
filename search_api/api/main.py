"""The ``/api/v1`` router: every public endpoint, versioned."""

from fastapi import APIRouter

from search_api.api.routes import admin, documents, health, search

api_router = APIRouter()
api_router.include_router(search.router)
api_router.include_router(documents.router)
api_router.include_router(health.router)
api_router.include_router(admin.router)
