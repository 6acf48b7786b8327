/*
 * Script-less stand-ins for the reindex module's REST endpoints, which are not
 * part of the integ-test-zip distribution:
 *
 *   POST /{index}/_delete_by_query
 *   POST /{index}/_update_by_query   (without "script": re-indexes the documents
 *                                     in place, e.g. to pick up new mappings)
 *   POST /_reindex                   (local source, without "script"/"remote"/"pipeline")
 *
 * They run synchronously (wait_for_completion=true only) as a scroll over the
 * matching documents followed by one bulk request per batch, and answer with
 * the same counters as the real endpoints (total, created, updated, deleted,
 * batches, version_conflicts, failures, ...).  Version conflicts are detected
 * with if_seq_no/if_primary_term like the real ones; "conflicts": "proceed"
 * counts and skips them, the default "abort" stops with HTTP 409.
 */
package fasou.estest;

import org.elasticsearch.ElasticsearchException;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.DocWriteRequest;
import org.elasticsearch.action.DocWriteResponse;
import org.elasticsearch.action.admin.indices.refresh.RefreshRequest;
import org.elasticsearch.action.bulk.BulkItemResponse;
import org.elasticsearch.action.bulk.BulkRequest;
import org.elasticsearch.action.bulk.BulkResponse;
import org.elasticsearch.action.delete.DeleteRequest;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.action.search.ClearScrollRequest;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.action.search.SearchScrollRequest;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.Strings;
import org.elasticsearch.common.bytes.BytesArray;
import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.common.document.DocumentField;
import org.elasticsearch.common.xcontent.XContentHelper;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.index.query.WrapperQueryBuilder;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestChannel;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentFactory;
import org.elasticsearch.xcontent.XContentType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

final class ByQueryHandlers {

    private ByQueryHandlers() {}

    static Collection<BaseRestHandler> all() {
        return List.of(new Handler(Mode.DELETE), new Handler(Mode.UPDATE), new Handler(Mode.REINDEX));
    }

    enum Mode {
        DELETE("/{index}/_delete_by_query", "fasou_delete_by_query_action"),
        UPDATE("/{index}/_update_by_query", "fasou_update_by_query_action"),
        REINDEX("/_reindex", "fasou_reindex_action");

        final String path;
        final String handlerName;

        Mode(String path, String handlerName) {
            this.path = path;
            this.handlerName = handlerName;
        }
    }

    /** Parameters the real endpoints accept; unknown ones are rejected by BaseRestHandler. */
    private static final String[] ACCEPTED_PARAMS = {
        "refresh", "conflicts", "wait_for_completion", "max_docs", "scroll_size", "scroll", "slices",
        "requests_per_second", "timeout", "wait_for_active_shards", "routing", "expand_wildcards",
        "ignore_unavailable", "allow_no_indices", "search_timeout", "q", "df", "analyzer", "default_operator",
        "lenient", "analyze_wildcard", "preference", "search_type", "version", "pipeline", "require_alias" };

    private static final class Handler extends BaseRestHandler {
        private final Mode mode;

        Handler(Mode mode) {
            this.mode = mode;
        }

        @Override
        public String getName() {
            return mode.handlerName;
        }

        @Override
        public List<Route> routes() {
            return List.of(new Route(RestRequest.Method.POST, mode.path));
        }

        @Override
        protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) throws IOException {
            Map<String, String> params = new java.util.HashMap<>();
            for (String p : ACCEPTED_PARAMS) {
                String v = request.param(p);
                if (v != null) {
                    params.put(p, v);
                }
            }
            Map<String, Object> body = request.hasContent()
                ? XContentHelper.convertToMap(request.requiredContent(), false, request.getXContentType()).v2()
                : Map.of();
            Job job = new Job(mode, client);
            job.configure(mode == Mode.REINDEX ? null : request.param("index"), params, body);
            return channel -> job.start(channel);
        }
    }

    private static IllegalArgumentException unsupported(String what) {
        return new IllegalArgumentException(what + " is not supported by the fasou test node (no reindex / lang-painless modules)");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o, String field) {
        if (o == null) {
            return null;
        }
        if (o instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new IllegalArgumentException("[" + field + "] must be an object");
    }

    private static String[] asIndices(Object o) {
        if (o instanceof String s) {
            return Strings.splitStringByCommaToArray(s);
        }
        if (o instanceof List<?> l) {
            return l.stream().map(Object::toString).toArray(String[]::new);
        }
        throw new IllegalArgumentException("[source.index] must be a string or a list of strings");
    }

    private static QueryBuilder toQuery(Map<String, Object> query) throws IOException {
        if (query == null) {
            return QueryBuilders.matchAllQuery();
        }
        try (XContentBuilder b = XContentFactory.jsonBuilder()) {
            b.map(query);
            return new WrapperQueryBuilder(BytesReference.bytes(b));
        }
    }

    /** One running delete/update-by-query or reindex. */
    private static final class Job {
        private final Mode mode;
        private final NodeClient client;
        private final long startNanos = System.nanoTime();

        private String[] indices;
        private QueryBuilder query;
        private int batchSize = 1000;
        private long maxDocs = -1;
        private boolean abortOnConflict = true;
        private boolean refresh;
        private TimeValue keepAlive = TimeValue.timeValueMinutes(5);
        private String destIndex;
        private boolean opTypeCreate;
        private String[] sourceIncludes;

        private RestChannel channel;
        private String scrollId;
        private long total;
        private long processed;
        private long created;
        private long updated;
        private long deleted;
        private long batches;
        private long versionConflicts;
        private final List<BulkItemResponse.Failure> failures = new ArrayList<>();

        Job(Mode mode, NodeClient client) {
            this.mode = mode;
            this.client = client;
        }

        void configure(String indexParam, Map<String, String> params, Map<String, Object> body) throws IOException {
            if ("false".equals(params.get("wait_for_completion"))) {
                throw unsupported("wait_for_completion=false");
            }
            if (params.containsKey("q")) {
                throw unsupported("the q parameter");
            }
            if (params.containsKey("pipeline") || body.containsKey("pipeline")) {
                throw unsupported("pipeline");
            }
            if (body.containsKey("script")) {
                throw unsupported("script");
            }
            if (body.containsKey("slice")) {
                throw unsupported("slice");
            }
            refresh = params.containsKey("refresh") && "false".equals(params.get("refresh")) == false;
            String conflicts = params.getOrDefault("conflicts", String.valueOf(body.getOrDefault("conflicts", "abort")));
            switch (conflicts.toLowerCase(Locale.ROOT)) {
                case "abort" -> abortOnConflict = true;
                case "proceed" -> abortOnConflict = false;
                default -> throw new IllegalArgumentException("conflicts may only be \"proceed\" or \"abort\" but was [" + conflicts + "]");
            }
            if (params.containsKey("max_docs")) {
                maxDocs = Long.parseLong(params.get("max_docs"));
            } else if (body.containsKey("max_docs")) {
                maxDocs = ((Number) body.get("max_docs")).longValue();
            } else if (body.containsKey("size")) {
                maxDocs = ((Number) body.get("size")).longValue();
            }
            if (params.containsKey("scroll_size")) {
                batchSize = Integer.parseInt(params.get("scroll_size"));
            }
            if (params.containsKey("scroll")) {
                keepAlive = TimeValue.parseTimeValue(params.get("scroll"), "scroll");
            }
            if (mode == Mode.REINDEX) {
                Map<String, Object> source = asMap(body.get("source"), "source");
                Map<String, Object> dest = asMap(body.get("dest"), "dest");
                if (source == null || source.get("index") == null) {
                    throw new IllegalArgumentException("[source.index] is required");
                }
                if (dest == null || dest.get("index") == null) {
                    throw new IllegalArgumentException("[dest.index] is required");
                }
                if (source.containsKey("remote")) {
                    throw unsupported("reindex from remote");
                }
                if (dest.containsKey("pipeline")) {
                    throw unsupported("dest.pipeline");
                }
                indices = asIndices(source.get("index"));
                query = toQuery(asMap(source.get("query"), "source.query"));
                if (source.get("size") instanceof Number n) {
                    batchSize = n.intValue();
                }
                Object includes = source.get("_source");
                if (includes instanceof List<?> l) {
                    sourceIncludes = l.stream().map(Object::toString).toArray(String[]::new);
                } else if (includes instanceof String s) {
                    sourceIncludes = new String[] { s };
                }
                destIndex = dest.get("index").toString();
                String opType = String.valueOf(dest.getOrDefault("op_type", "index"));
                opTypeCreate = "create".equalsIgnoreCase(opType);
            } else {
                if (indexParam == null || indexParam.isEmpty()) {
                    throw new IllegalArgumentException("index is missing");
                }
                indices = Strings.splitStringByCommaToArray(indexParam);
                query = toQuery(asMap(body.get("query"), "query"));
            }
        }

        void start(RestChannel channel) {
            this.channel = channel;
            SearchSourceBuilder ssb = new SearchSourceBuilder().query(query)
                .size(maxDocs > 0 ? (int) Math.min(batchSize, maxDocs) : batchSize)
                .seqNoAndPrimaryTerm(true)
                .version(true)
                .trackTotalHits(true)
                .sort("_doc")
                .storedFields(List.of("_routing", "_source"));
            if (mode == Mode.DELETE) {
                ssb.fetchSource(false);
            } else if (sourceIncludes != null) {
                ssb.fetchSource(sourceIncludes, null);
            }
            SearchRequest search = new SearchRequest(indices).source(ssb).scroll(keepAlive);
            client.search(search, ActionListener.wrap(this::onSearch, this::fail));
        }

        private void onSearch(SearchResponse response) {
            try {
                scrollId = response.getScrollId();
                if (batches == 0 && processed == 0 && response.getHits().getTotalHits() != null) {
                    total = response.getHits().getTotalHits().value;
                    if (maxDocs >= 0) {
                        total = Math.min(total, maxDocs);
                    }
                }
                SearchHit[] hits = response.getHits().getHits();
                if (hits.length == 0 || (maxDocs >= 0 && processed >= maxDocs)) {
                    finish();
                    return;
                }
                BulkRequest bulk = new BulkRequest();
                for (SearchHit hit : hits) {
                    if (maxDocs >= 0 && processed >= maxDocs) {
                        break;
                    }
                    processed++;
                    bulk.add(toWrite(hit));
                }
                batches++;
                client.bulk(bulk, ActionListener.wrap(this::onBulk, this::fail));
            } catch (Exception e) {
                fail(e);
            }
        }

        private DocWriteRequest<?> toWrite(SearchHit hit) {
            DocumentField routingField = hit.field("_routing");
            Object routingValue = routingField == null ? null : routingField.getValue();
            String routing = routingValue == null ? null : routingValue.toString();
            switch (mode) {
                case DELETE: {
                    DeleteRequest d = new DeleteRequest(hit.getIndex(), hit.getId());
                    d.setIfSeqNo(hit.getSeqNo()).setIfPrimaryTerm(hit.getPrimaryTerm());
                    if (routing != null) {
                        d.routing(routing);
                    }
                    return d;
                }
                case UPDATE: {
                    IndexRequest r = new IndexRequest(hit.getIndex()).id(hit.getId());
                    setSource(r, hit);
                    r.setIfSeqNo(hit.getSeqNo()).setIfPrimaryTerm(hit.getPrimaryTerm());
                    if (routing != null) {
                        r.routing(routing);
                    }
                    return r;
                }
                default: {
                    IndexRequest r = new IndexRequest(destIndex).id(hit.getId());
                    setSource(r, hit);
                    r.opType(opTypeCreate ? DocWriteRequest.OpType.CREATE : DocWriteRequest.OpType.INDEX);
                    if (routing != null) {
                        r.routing(routing);
                    }
                    return r;
                }
            }
        }

        private static void setSource(IndexRequest r, SearchHit hit) {
            BytesReference src = hit.getSourceRef();
            if (src == null) {
                throw new IllegalArgumentException("document [" + hit.getIndex() + "][" + hit.getId() + "] has no _source");
            }
            XContentType type = XContentHelper.xContentType(src);
            // copy: the search response's buffers are released after the listener returns
            r.source(new BytesArray(BytesReference.toBytes(src)), type == null ? XContentType.JSON : type);
        }

        private void onBulk(BulkResponse response) {
            boolean stop = false;
            for (BulkItemResponse item : response.getItems()) {
                if (item.isFailed()) {
                    BulkItemResponse.Failure f = item.getFailure();
                    if (f.getStatus() == RestStatus.CONFLICT) {
                        versionConflicts++;
                        if (abortOnConflict) {
                            failures.add(f);
                            stop = true;
                        }
                    } else {
                        failures.add(f);
                        stop = true;
                    }
                    continue;
                }
                DocWriteResponse.Result result = item.getResponse().getResult();
                switch (mode) {
                    case DELETE -> deleted++;
                    case UPDATE -> updated++;
                    default -> {
                        if (result == DocWriteResponse.Result.CREATED) {
                            created++;
                        } else {
                            updated++;
                        }
                    }
                }
            }
            if (stop || (maxDocs >= 0 && processed >= maxDocs)) {
                finish();
                return;
            }
            client.searchScroll(new SearchScrollRequest(scrollId).scroll(keepAlive), ActionListener.wrap(this::onSearch, this::fail));
        }

        private void clearScroll() {
            if (scrollId != null) {
                ClearScrollRequest clear = new ClearScrollRequest();
                clear.addScrollId(scrollId);
                client.clearScroll(clear, ActionListener.noop());
                scrollId = null;
            }
        }

        private void finish() {
            clearScroll();
            if (refresh) {
                String[] toRefresh = mode == Mode.REINDEX ? new String[] { destIndex } : indices;
                client.admin().indices().refresh(new RefreshRequest(toRefresh), ActionListener.wrap(r -> respond(), this::fail));
            } else {
                respond();
            }
        }

        private void respond() {
            try {
                XContentBuilder b = channel.newBuilder();
                b.startObject();
                b.field("took", (System.nanoTime() - startNanos) / 1_000_000);
                b.field("timed_out", false);
                b.field("total", total);
                b.field("updated", updated);
                b.field("created", created);
                b.field("deleted", deleted);
                b.field("batches", batches);
                b.field("version_conflicts", versionConflicts);
                b.field("noops", 0);
                b.startObject("retries").field("bulk", 0).field("search", 0).endObject();
                b.field("throttled_millis", 0);
                b.field("requests_per_second", -1.0);
                b.field("throttled_until_millis", 0);
                b.startArray("failures");
                RestStatus status = RestStatus.OK;
                for (BulkItemResponse.Failure f : failures) {
                    b.startObject();
                    b.field("index", f.getIndex());
                    b.field("id", f.getId());
                    b.startObject("cause");
                    b.field("type", ElasticsearchException.getExceptionName(f.getCause()));
                    b.field("reason", f.getMessage());
                    b.endObject();
                    b.field("status", f.getStatus().getStatus());
                    b.endObject();
                    if (f.getStatus().getStatus() > status.getStatus()) {
                        status = f.getStatus();
                    }
                }
                b.endArray();
                b.endObject();
                channel.sendResponse(new RestResponse(status, b));
            } catch (Exception e) {
                fail(e);
            }
        }

        private void fail(Exception e) {
            clearScroll();
            try {
                channel.sendResponse(new RestResponse(channel, e));
            } catch (IOException inner) {
                e.addSuppressed(inner);
                channel.sendResponse(new RestResponse(RestStatus.INTERNAL_SERVER_ERROR, RestResponse.TEXT_CONTENT_TYPE, new BytesArray(e.toString())));
            }
        }
    }
}
