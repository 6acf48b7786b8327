"""The ``/api/v1`` router: every endpoint, versioned."""

from fastapi import APIRouter

from search_api.api.routes import (
    admin,
    auth,
    crawls,
    documents,
    editor,
    editor_jobs,
    events,
    feed,
    health,
    places,
    profiles,
    search,
    suggest,
    taxonomy,
)

api_router = APIRouter()
api_router.include_router(search.router)
api_router.include_router(suggest.router)
api_router.include_router(documents.router)
api_router.include_router(health.router)
api_router.include_router(profiles.router)
api_router.include_router(events.router)
api_router.include_router(feed.router)
api_router.include_router(auth.router)
api_router.include_router(editor.router)
api_router.include_router(editor_jobs.router)
api_router.include_router(crawls.router)
api_router.include_router(admin.router)
api_router.include_router(taxonomy.router)
api_router.include_router(places.router)
