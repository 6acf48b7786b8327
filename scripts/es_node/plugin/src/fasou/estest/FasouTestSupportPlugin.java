/*
 * fasou test-support plugin for the Elasticsearch "integ-test-zip" distribution.
 *
 * Elastic publishes to Maven Central a minimal Elasticsearch 8.x distribution
 * (org.elasticsearch.distribution.integ-test-zip:elasticsearch) that has the
 * real server plus transport-netty4 / x-pack-core / x-pack-security / apm, but
 * NOT the analysis-common and rest-root modules of the full distribution, and
 * those modules are not on Maven Central on their own.  This small plugin,
 * written for fasou and built from this source by scripts/es-test-node, fills
 * the gaps the fasou tests need:
 *
 *   - GET / and HEAD / (the "main" endpoint used by client.info() / ping());
 *   - the common analysis components: tokenizers (whitespace, keyword,
 *     pattern, ngram, edge_ngram, char_group, ...), token filters (lowercase,
 *     asciifolding, synonym, synonym_graph, word_delimiter_graph, cjk_bigram,
 *     stemmer, ...), char filters (html_strip, mapping, pattern_replace) and
 *     the cjk / english analyzers.  They are thin factories over the Lucene
 *     classes that ship inside the distribution (lucene-analysis-common);
 *   - script-less _delete_by_query / _update_by_query / _reindex
 *     (see ByQueryHandlers), which live in the absent reindex module.
 *
 * It is a test helper, not a replacement for the analysis-common module: the
 * settings understood are the commonly used ones listed in
 * scripts/es_node/README.md.
 */
package fasou.estest;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.charfilter.HTMLStripCharFilter;
import org.apache.lucene.analysis.charfilter.MappingCharFilter;
import org.apache.lucene.analysis.charfilter.NormalizeCharMap;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.cjk.CJKBigramFilter;
import org.apache.lucene.analysis.cjk.CJKWidthFilter;
import org.apache.lucene.analysis.classic.ClassicFilter;
import org.apache.lucene.analysis.classic.ClassicTokenizer;
import org.apache.lucene.analysis.core.DecimalDigitFilter;
import org.apache.lucene.analysis.core.FlattenGraphFilter;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.LetterTokenizer;
import org.apache.lucene.analysis.core.TypeTokenFilter;
import org.apache.lucene.analysis.core.UpperCaseFilter;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.el.GreekLowerCaseFilter;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.ga.IrishLowerCaseFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.FingerprintFilter;
import org.apache.lucene.analysis.miscellaneous.KeepWordFilter;
import org.apache.lucene.analysis.miscellaneous.LengthFilter;
import org.apache.lucene.analysis.miscellaneous.LimitTokenCountFilter;
import org.apache.lucene.analysis.miscellaneous.PatternKeywordMarkerFilter;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.miscellaneous.SetKeywordMarkerFilter;
import org.apache.lucene.analysis.miscellaneous.StemmerOverrideFilter;
import org.apache.lucene.analysis.miscellaneous.TrimFilter;
import org.apache.lucene.analysis.miscellaneous.TruncateTokenFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterIterator;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenizer;
import org.apache.lucene.analysis.ngram.NGramTokenFilter;
import org.apache.lucene.analysis.ngram.NGramTokenizer;
import org.apache.lucene.analysis.path.PathHierarchyTokenizer;
import org.apache.lucene.analysis.path.ReversePathHierarchyTokenizer;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.apache.lucene.analysis.pattern.PatternReplaceCharFilter;
import org.apache.lucene.analysis.pattern.PatternReplaceFilter;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.apache.lucene.analysis.pattern.SimplePatternSplitTokenizer;
import org.apache.lucene.analysis.pattern.SimplePatternTokenizer;
import org.apache.lucene.analysis.reverse.ReverseStringFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymFilter;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.analysis.synonym.WordnetSynonymParser;
import org.apache.lucene.analysis.th.ThaiTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.analysis.tr.ApostropheFilter;
import org.apache.lucene.analysis.tr.TurkishLowerCaseFilter;
import org.apache.lucene.analysis.util.CharTokenizer;
import org.apache.lucene.analysis.util.ElisionFilter;
import org.elasticsearch.Build;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.ClusterState;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.bytes.BytesArray;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.env.Environment;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.IndexService;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalysisMode;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.AnalyzerScope;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.CustomAnalyzer;
import org.elasticsearch.index.analysis.NormalizingCharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class FasouTestSupportPlugin extends Plugin implements AnalysisPlugin, ActionPlugin {

    private volatile ClusterService clusterService;

    @Override
    public Collection<?> createComponents(PluginServices services) {
        this.clusterService = services.clusterService();
        return List.of();
    }

    // ------------------------------------------------------------------ REST: GET / and HEAD /

    @Override
    public Collection<RestHandler> getRestHandlers(
        Settings settings,
        NamedWriteableRegistry namedWriteableRegistry,
        RestController restController,
        ClusterSettings clusterSettings,
        IndexScopedSettings indexScopedSettings,
        SettingsFilter settingsFilter,
        IndexNameExpressionResolver indexNameExpressionResolver,
        Supplier<DiscoveryNodes> nodesInCluster,
        Predicate<NodeFeature> clusterSupportsFeature
    ) {
        List<RestHandler> handlers = new ArrayList<>();
        handlers.add(new RootInfoHandler());
        handlers.addAll(ByQueryHandlers.all());
        return handlers;
    }

    private final class RootInfoHandler extends BaseRestHandler {
        @Override
        public String getName() {
            return "fasou_root_info_action";
        }

        @Override
        public List<Route> routes() {
            return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
        }

        @Override
        protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
            final boolean head = request.method() == RestRequest.Method.HEAD;
            return channel -> {
                if (head) {
                    channel.sendResponse(new RestResponse(RestStatus.OK, "application/json", BytesArray.EMPTY));
                    return;
                }
                ClusterService cs = clusterService;
                ClusterState state = cs.state();
                Build build = Build.current();
                XContentBuilder b = channel.newBuilder();
                b.startObject();
                b.field("name", cs.getNodeName());
                b.field("cluster_name", cs.getClusterName().value());
                b.field("cluster_uuid", state.metadata().clusterUUID());
                b.startObject("version");
                b.field("number", build.qualifiedVersion());
                b.field("build_flavor", build.flavor());
                b.field("build_type", build.type().displayName());
                b.field("build_hash", build.hash());
                b.field("build_date", build.date());
                b.field("build_snapshot", build.isSnapshot());
                b.field("lucene_version", org.apache.lucene.util.Version.LATEST.toString());
                b.field("minimum_wire_compatibility_version", build.minWireCompatVersion());
                b.field("minimum_index_compatibility_version", build.minIndexCompatVersion());
                b.endObject();
                b.field("tagline", "You Know, for Search");
                b.endObject();
                channel.sendResponse(new RestResponse(RestStatus.OK, b));
            };
        }
    }

    // ------------------------------------------------------------------ small helpers

    private static TokenFilterFactory filter(String name, Function<TokenStream, TokenStream> f) {
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream in) {
                return f.apply(in);
            }
        };
    }

    /** A filter that may also be used in normalizers (keyword fields). */
    private static TokenFilterFactory normalizingFilter(String name, Function<TokenStream, TokenStream> f) {
        return new NormalizingTokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream in) {
                return f.apply(in);
            }
        };
    }

    private static int maxNgramDiff(IndexSettings indexSettings) {
        return indexSettings == null ? 1 : indexSettings.getMaxNgramDiff();
    }

    private static void checkNgramDiff(IndexSettings indexSettings, String kind, int min, int max) {
        int allowed = maxNgramDiff(indexSettings);
        if (max - min > allowed) {
            throw new IllegalArgumentException(
                "The difference between max_gram and min_gram in " + kind + " must be less than or equal to: ["
                    + allowed + "] but was [" + (max - min) + "]. This limit can be set by changing the ["
                    + IndexSettings.MAX_NGRAM_DIFF_SETTING.getKey() + "] index level setting."
            );
        }
    }

    private static boolean isPunctuation(int type) {
        return type == Character.CONNECTOR_PUNCTUATION
            || type == Character.DASH_PUNCTUATION
            || type == Character.START_PUNCTUATION
            || type == Character.END_PUNCTUATION
            || type == Character.INITIAL_QUOTE_PUNCTUATION
            || type == Character.FINAL_QUOTE_PUNCTUATION
            || type == Character.OTHER_PUNCTUATION;
    }

    private static boolean isSymbol(int type) {
        return type == Character.MATH_SYMBOL
            || type == Character.CURRENCY_SYMBOL
            || type == Character.MODIFIER_SYMBOL
            || type == Character.OTHER_SYMBOL;
    }

    /** token_chars of the ngram tokenizers; an empty list keeps every character. */
    private static IntPredicate tokenChars(Settings s) {
        List<String> classes = s.getAsList("token_chars", List.of());
        if (classes.isEmpty()) {
            return c -> true;
        }
        List<IntPredicate> parts = new ArrayList<>();
        for (String cls : classes) {
            switch (cls.toLowerCase(Locale.ROOT)) {
                case "letter" -> parts.add(Character::isLetter);
                case "digit" -> parts.add(Character::isDigit);
                case "whitespace" -> parts.add(Character::isWhitespace);
                case "punctuation" -> parts.add(c -> isPunctuation(Character.getType(c)));
                case "symbol" -> parts.add(c -> isSymbol(Character.getType(c)));
                case "custom" -> {
                    String custom = s.get("custom_token_chars");
                    if (custom == null) {
                        throw new IllegalArgumentException("Token type: [custom] requires setting `custom_token_chars`");
                    }
                    Set<Integer> cps = new HashSet<>();
                    custom.codePoints().forEach(cps::add);
                    parts.add(cps::contains);
                }
                default -> throw new IllegalArgumentException("Unknown token type: '" + cls + "'");
            }
        }
        return c -> {
            for (IntPredicate p : parts) {
                if (p.test(c)) {
                    return true;
                }
            }
            return false;
        };
    }

    private static int unescapeChar(String s) {
        if (s.length() == 1) {
            return s.charAt(0);
        }
        if (s.startsWith("\\u") && s.length() == 6) {
            return Integer.parseInt(s.substring(2), 16);
        }
        switch (s) {
            case "\\n":
                return '\n';
            case "\\r":
                return '\r';
            case "\\t":
                return '\t';
            case "\\f":
                return '\f';
            case "\\b":
                return '\b';
            case "\\\\":
                return '\\';
            default:
                if (s.codePointCount(0, s.length()) == 1) {
                    return s.codePointAt(0);
                }
                throw new IllegalArgumentException("Invalid escaped char in [" + s + "]");
        }
    }

    /** Unescapes \\n \\t \\r \\f \\b \\\\ \\uXXXX in mapping / stemmer_override rules. */
    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                switch (n) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'f' -> out.append('\f');
                    case 'b' -> out.append('\b');
                    case 'u' -> {
                        if (i + 4 >= s.length()) {
                            throw new IllegalArgumentException("Invalid escaped char in [" + s + "]");
                        }
                        out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                    default -> out.append(n);
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static final Pattern RULE = Pattern.compile("^(.*?)\\s*=>\\s*(.*?)\\s*$");

    private static List<String> requiredList(Environment env, Settings s, String key, String filterType) {
        List<String> l = Analysis.getWordList(env, s, key);
        if (l == null) {
            throw new IllegalArgumentException(filterType + " requires either `" + key + "` or `" + key + "_path` to be configured");
        }
        return l;
    }

    private static CharArraySet optionalWordSet(Environment env, Settings s, String key, boolean ignoreCase) {
        List<String> l = Analysis.getWordList(env, s, key);
        return l == null ? null : new CharArraySet(l, ignoreCase);
    }

    // ------------------------------------------------------------------ tokenizers

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        Map<String, AnalysisProvider<TokenizerFactory>> m = new LinkedHashMap<>();
        m.put("whitespace", (is, env, name, s) -> {
            int max = s.getAsInt("max_token_length", 255);
            return TokenizerFactory.newFactory(name, () -> new WhitespaceTokenizer(TokenStream.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, max));
        });
        m.put("keyword", (is, env, name, s) -> {
            int buffer = s.getAsInt("buffer_size", 256);
            return TokenizerFactory.newFactory(name, () -> new KeywordTokenizer(buffer));
        });
        m.put("letter", (is, env, name, s) -> TokenizerFactory.newFactory(name, LetterTokenizer::new));
        m.put("classic", (is, env, name, s) -> {
            int max = s.getAsInt("max_token_length", 255);
            return TokenizerFactory.newFactory(name, () -> {
                ClassicTokenizer t = new ClassicTokenizer();
                t.setMaxTokenLength(max);
                return t;
            });
        });
        m.put("uax_url_email", (is, env, name, s) -> {
            int max = s.getAsInt("max_token_length", 255);
            return TokenizerFactory.newFactory(name, () -> {
                UAX29URLEmailTokenizer t = new UAX29URLEmailTokenizer();
                t.setMaxTokenLength(max);
                return t;
            });
        });
        m.put("path_hierarchy", (is, env, name, s) -> {
            String delimiter = s.get("delimiter", "/");
            String replacement = s.get("replacement", delimiter);
            if (delimiter.length() != 1 || replacement.length() != 1) {
                throw new IllegalArgumentException("delimiter and replacement must be a single character");
            }
            char d = delimiter.charAt(0);
            char r = replacement.charAt(0);
            int skip = s.getAsInt("skip", 0);
            boolean reverse = s.getAsBoolean("reverse", false);
            return TokenizerFactory.newFactory(
                name,
                () -> reverse
                    ? new ReversePathHierarchyTokenizer(TokenStream.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, d, r, skip)
                    : new PathHierarchyTokenizer(TokenStream.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, d, r, skip)
            );
        });
        m.put("pattern", (is, env, name, s) -> {
            Pattern p = Pattern.compile(s.get("pattern", "\\W+"), regexFlags(s.get("flags")));
            int group = s.getAsInt("group", -1);
            return TokenizerFactory.newFactory(name, () -> new PatternTokenizer(p, group));
        });
        m.put("simple_pattern", (is, env, name, s) -> {
            String p = s.get("pattern", "");
            return TokenizerFactory.newFactory(name, () -> new SimplePatternTokenizer(p));
        });
        m.put("simple_pattern_split", (is, env, name, s) -> {
            String p = s.get("pattern", "");
            return TokenizerFactory.newFactory(name, () -> new SimplePatternSplitTokenizer(p));
        });
        m.put("char_group", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
            List<String> on = s.getAsList("tokenize_on_chars", List.of());
            if (on.isEmpty()) {
                throw new IllegalArgumentException("[tokenize_on_chars] cannot be empty");
            }
            Set<Integer> chars = new HashSet<>();
            boolean ws = false, letter = false, digit = false, punct = false, symbol = false;
            for (String c : on) {
                switch (c) {
                    case "whitespace" -> ws = true;
                    case "letter" -> letter = true;
                    case "digit" -> digit = true;
                    case "punctuation" -> punct = true;
                    case "symbol" -> symbol = true;
                    default -> chars.add(unescapeChar(c));
                }
            }
            final boolean fWs = ws, fLetter = letter, fDigit = digit, fPunct = punct, fSymbol = symbol;
            int max = s.getAsInt("max_token_length", 255);
            return TokenizerFactory.newFactory(name, () -> new CharTokenizer(TokenStream.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, max) {
                @Override
                protected boolean isTokenChar(int c) {
                    if (fWs && Character.isWhitespace(c)) return false;
                    if (fLetter && Character.isLetter(c)) return false;
                    if (fDigit && Character.isDigit(c)) return false;
                    if (fPunct && isPunctuation(Character.getType(c))) return false;
                    if (fSymbol && isSymbol(Character.getType(c))) return false;
                    return chars.contains(c) == false;
                }
            });
        }));
        m.put("ngram", (is, env, name, s) -> {
            int min = s.getAsInt("min_gram", NGramTokenizer.DEFAULT_MIN_NGRAM_SIZE);
            int max = s.getAsInt("max_gram", NGramTokenizer.DEFAULT_MAX_NGRAM_SIZE);
            checkNgramDiff(is, "NGram Tokenizer", min, max);
            IntPredicate keep = tokenChars(s);
            return TokenizerFactory.newFactory(name, () -> new NGramTokenizer(min, max) {
                @Override
                protected boolean isTokenChar(int chr) {
                    return keep.test(chr);
                }
            });
        });
        m.put("edge_ngram", (is, env, name, s) -> {
            int min = s.getAsInt("min_gram", NGramTokenizer.DEFAULT_MIN_NGRAM_SIZE);
            int max = s.getAsInt("max_gram", NGramTokenizer.DEFAULT_MAX_NGRAM_SIZE);
            IntPredicate keep = tokenChars(s);
            return TokenizerFactory.newFactory(name, () -> new EdgeNGramTokenizer(min, max) {
                @Override
                protected boolean isTokenChar(int chr) {
                    return keep.test(chr);
                }
            });
        });
        m.put("thai", (is, env, name, s) -> TokenizerFactory.newFactory(name, ThaiTokenizer::new));
        return m;
    }

    private static int regexFlags(String flags) {
        if (flags == null || flags.isBlank()) {
            return 0;
        }
        int f = 0;
        for (String part : flags.split("\\|")) {
            switch (part.trim().toUpperCase(Locale.ROOT)) {
                case "CASE_INSENSITIVE" -> f |= Pattern.CASE_INSENSITIVE;
                case "MULTILINE" -> f |= Pattern.MULTILINE;
                case "DOTALL" -> f |= Pattern.DOTALL;
                case "UNICODE_CASE" -> f |= Pattern.UNICODE_CASE;
                case "CANON_EQ" -> f |= Pattern.CANON_EQ;
                case "LITERAL" -> f |= Pattern.LITERAL;
                case "COMMENTS" -> f |= Pattern.COMMENTS;
                case "UNIX_LINES" -> f |= Pattern.UNIX_LINES;
                case "UNICODE_CHARACTER_CLASS" -> f |= Pattern.UNICODE_CHARACTER_CLASS;
                default -> throw new IllegalArgumentException("Unknown regex flag [" + part + "]");
            }
        }
        return f;
    }

    // ------------------------------------------------------------------ token filters

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        Map<String, AnalysisProvider<TokenFilterFactory>> m = new LinkedHashMap<>();
        m.put("lowercase", (is, env, name, s) -> {
            String lang = s.get("language");
            if (lang == null) {
                return normalizingFilter(name, LowerCaseFilter::new);
            }
            return switch (lang.toLowerCase(Locale.ROOT)) {
                case "greek" -> normalizingFilter(name, GreekLowerCaseFilter::new);
                case "irish" -> normalizingFilter(name, IrishLowerCaseFilter::new);
                case "turkish" -> normalizingFilter(name, TurkishLowerCaseFilter::new);
                default -> throw new IllegalArgumentException("language [" + lang + "] not support for lower case");
            };
        });
        m.put("uppercase", (is, env, name, s) -> normalizingFilter(name, UpperCaseFilter::new));
        m.put("asciifolding", (is, env, name, s) -> {
            boolean preserve = s.getAsBoolean("preserve_original", false);
            return new NormalizingTokenFilterFactory() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public TokenStream create(TokenStream in) {
                    return new ASCIIFoldingFilter(in, preserve);
                }

                @Override
                public TokenStream normalize(TokenStream in) {
                    return new ASCIIFoldingFilter(in, false);
                }
            };
        });
        m.put("trim", (is, env, name, s) -> normalizingFilter(name, TrimFilter::new));
        m.put("cjk_width", (is, env, name, s) -> normalizingFilter(name, CJKWidthFilter::new));
        m.put("decimal_digit", (is, env, name, s) -> normalizingFilter(name, DecimalDigitFilter::new));
        m.put("elision", (is, env, name, s) -> {
            CharArraySet articles = Analysis.parseArticles(env, s);
            CharArraySet a = articles == null ? FrenchAnalyzer.DEFAULT_ARTICLES : articles;
            return normalizingFilter(name, in -> new ElisionFilter(in, a));
        });
        m.put("truncate", (is, env, name, s) -> {
            int len = s.getAsInt("length", 10);
            if (len <= 0) {
                throw new IllegalArgumentException("length parameter must be provided");
            }
            return filter(name, in -> new TruncateTokenFilter(in, len));
        });
        m.put("unique", (is, env, name, s) -> {
            boolean samePos = s.getAsBoolean("only_on_same_position", false);
            return filter(name, in -> samePos ? new RemoveDuplicatesTokenFilter(in) : new UniqueTokenFilter(in));
        });
        m.put("remove_duplicates", (is, env, name, s) -> filter(name, RemoveDuplicatesTokenFilter::new));
        m.put("length", (is, env, name, s) -> {
            int min = s.getAsInt("min", 0);
            int max = s.getAsInt("max", Integer.MAX_VALUE);
            return filter(name, in -> new LengthFilter(in, min, max));
        });
        m.put("reverse", (is, env, name, s) -> filter(name, ReverseStringFilter::new));
        m.put("apostrophe", (is, env, name, s) -> filter(name, ApostropheFilter::new));
        m.put("classic", (is, env, name, s) -> filter(name, ClassicFilter::new));
        m.put("flatten_graph", (is, env, name, s) -> filter(name, FlattenGraphFilter::new));
        m.put("porter_stem", (is, env, name, s) -> filter(name, PorterStemFilter::new));
        m.put("kstem", (is, env, name, s) -> filter(name, KStemFilter::new));
        m.put("snowball", (is, env, name, s) -> {
            String lang = s.get("language", "English");
            return filter(name, in -> new SnowballFilter(in, lang));
        });
        m.put("stemmer", (is, env, name, s) -> {
            String lang = s.get("language", s.get("name", "english")).toLowerCase(Locale.ROOT);
            return filter(name, stemmer(lang));
        });
        m.put("stemmer_override", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
            StemmerOverrideFilter.Builder builder = new StemmerOverrideFilter.Builder(false);
            for (String rule : requiredList(env, s, "rules", "stemmer_override")) {
                Matcher mt = RULE.matcher(rule);
                if (mt.matches() == false || mt.group(2).isEmpty()) {
                    throw new IllegalArgumentException("Invalid Keyword override Rule:" + rule);
                }
                String target = unescape(mt.group(2).trim());
                for (String key : mt.group(1).split(",")) {
                    if (key.trim().isEmpty() == false) {
                        builder.add(unescape(key.trim()), target);
                    }
                }
            }
            StemmerOverrideFilter.StemmerOverrideMap map;
            try {
                map = builder.build();
            } catch (IOException e) {
                throw new IllegalArgumentException("failed to build stemmer_override rules", e);
            }
            return filter(name, in -> new StemmerOverrideFilter(in, map));
        }));
        m.put("keep", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
            CharArraySet words = optionalWordSet(env, s, "keep_words", s.getAsBoolean("keep_words_case", false));
            if (words == null) {
                throw new IllegalArgumentException("keep requires either `keep_words` or `keep_words_path` to be configured");
            }
            return filter(name, in -> new KeepWordFilter(in, words));
        }));
        m.put("keep_types", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
            Set<String> types = new HashSet<>(s.getAsList("types", List.of()));
            if (types.isEmpty()) {
                throw new IllegalArgumentException("keep_types requires `types` to be configured");
            }
            boolean include = "exclude".equalsIgnoreCase(s.get("mode", "include")) == false;
            return filter(name, in -> new TypeTokenFilter(in, types, include));
        }));
        m.put("keyword_marker", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
            boolean ignoreCase = s.getAsBoolean("ignore_case", false);
            String pattern = s.get("keywords_pattern");
            CharArraySet words = optionalWordSet(env, s, "keywords", ignoreCase);
            if (pattern != null && words != null) {
                throw new IllegalArgumentException("cannot specify both `keywords_pattern` and `keywords` or `keywords_path`");
            }
            if (pattern != null) {
                Pattern p = Pattern.compile(pattern);
                return filter(name, in -> new PatternKeywordMarkerFilter(in, p));
            }
            if (words == null) {
                throw new IllegalArgumentException("keyword filter requires either `keywords`, `keywords_path`, or `keywords_pattern` to be set");
            }
            return filter(name, in -> new SetKeywordMarkerFilter(in, words));
        }));
        m.put("word_delimiter_graph", (is, env, name, s) -> {
            int flags = wordDelimiterFlags(s);
            boolean adjust = s.getAsBoolean("adjust_offsets", true);
            CharArraySet prot = optionalWordSet(env, s, "protected_words", false);
            return filter(
                name,
                in -> new WordDelimiterGraphFilter(in, adjust, WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE, flags, prot)
            );
        });
        m.put("word_delimiter", (is, env, name, s) -> {
            int flags = wordDelimiterFlags(s);
            CharArraySet prot = optionalWordSet(env, s, "protected_words", false);
            return filter(name, in -> new WordDelimiterFilter(in, WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE, flags, prot));
        });
        m.put("ngram", (is, env, name, s) -> {
            int min = s.getAsInt("min_gram", 1);
            int max = s.getAsInt("max_gram", 2);
            boolean preserve = s.getAsBoolean("preserve_original", false);
            checkNgramDiff(is, "NGram Tokenizer", min, max);
            return filter(name, in -> new NGramTokenFilter(in, min, max, preserve));
        });
        m.put("edge_ngram", (is, env, name, s) -> {
            int min = s.getAsInt("min_gram", 1);
            int max = s.getAsInt("max_gram", 2);
            boolean preserve = s.getAsBoolean("preserve_original", false);
            boolean back = "back".equalsIgnoreCase(s.get("side", "front"));
            return filter(
                name,
                in -> back
                    ? new ReverseStringFilter(new EdgeNGramTokenFilter(new ReverseStringFilter(in), min, max, preserve))
                    : new EdgeNGramTokenFilter(in, min, max, preserve)
            );
        });
        m.put("cjk_bigram", (is, env, name, s) -> {
            int flags = CJKBigramFilter.HAN | CJKBigramFilter.HIRAGANA | CJKBigramFilter.KATAKANA | CJKBigramFilter.HANGUL;
            for (String script : s.getAsList("ignored_scripts", List.of())) {
                switch (script.toLowerCase(Locale.ROOT)) {
                    case "han" -> flags &= ~CJKBigramFilter.HAN;
                    case "hiragana" -> flags &= ~CJKBigramFilter.HIRAGANA;
                    case "katakana" -> flags &= ~CJKBigramFilter.KATAKANA;
                    case "hangul" -> flags &= ~CJKBigramFilter.HANGUL;
                    default -> throw new IllegalArgumentException("unknown script [" + script + "] in ignored_scripts");
                }
            }
            boolean unigrams = s.getAsBoolean("output_unigrams", false);
            final int f = flags;
            return filter(name, in -> new CJKBigramFilter(in, f, unigrams));
        });
        m.put("pattern_replace", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
            String pattern = s.get("pattern");
            if (pattern == null) {
                throw new IllegalArgumentException("pattern is missing for [" + name + "] token filter of type 'pattern_replace'");
            }
            Pattern p = Pattern.compile(pattern, regexFlags(s.get("flags")));
            String replacement = s.get("replacement", "");
            boolean all = s.getAsBoolean("all", true);
            return normalizingFilter(name, in -> new PatternReplaceFilter(in, p, replacement, all));
        }));
        m.put("pattern_capture", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
            List<String> patterns = s.getAsList("patterns", List.of());
            if (patterns.isEmpty()) {
                throw new IllegalArgumentException("required setting 'patterns' is missing for token filter [" + name + "]");
            }
            Pattern[] ps = patterns.stream().map(Pattern::compile).toArray(Pattern[]::new);
            boolean preserve = s.getAsBoolean("preserve_original", true);
            return filter(name, in -> new PatternCaptureGroupTokenFilter(in, preserve, ps));
        }));
        m.put("fingerprint", (is, env, name, s) -> {
            String sep = s.get("separator", " ");
            if (sep.length() != 1) {
                throw new IllegalArgumentException("Setting [separator] must be a single, non-null character. [" + sep + "] was provided.");
            }
            int maxSize = s.getAsInt("max_output_size", 255);
            return filter(name, in -> new FingerprintFilter(in, maxSize, sep.charAt(0)));
        });
        m.put("limit", (is, env, name, s) -> {
            int max = s.getAsInt("max_token_count", 1);
            boolean all = s.getAsBoolean("consume_all_tokens", false);
            return filter(name, in -> new LimitTokenCountFilter(in, max, all));
        });
        m.put("synonym", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> new SynonymFactory(env, name, s, false)));
        m.put("synonym_graph", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> new SynonymFactory(env, name, s, true)));
        return m;
    }

    private static int wordDelimiterFlags(Settings s) {
        int f = 0;
        if (s.getAsBoolean("generate_word_parts", true)) f |= WordDelimiterGraphFilter.GENERATE_WORD_PARTS;
        if (s.getAsBoolean("generate_number_parts", true)) f |= WordDelimiterGraphFilter.GENERATE_NUMBER_PARTS;
        if (s.getAsBoolean("catenate_words", false)) f |= WordDelimiterGraphFilter.CATENATE_WORDS;
        if (s.getAsBoolean("catenate_numbers", false)) f |= WordDelimiterGraphFilter.CATENATE_NUMBERS;
        if (s.getAsBoolean("catenate_all", false)) f |= WordDelimiterGraphFilter.CATENATE_ALL;
        if (s.getAsBoolean("split_on_case_change", true)) f |= WordDelimiterGraphFilter.SPLIT_ON_CASE_CHANGE;
        if (s.getAsBoolean("preserve_original", false)) f |= WordDelimiterGraphFilter.PRESERVE_ORIGINAL;
        if (s.getAsBoolean("split_on_numerics", true)) f |= WordDelimiterGraphFilter.SPLIT_ON_NUMERICS;
        if (s.getAsBoolean("stem_english_possessive", true)) f |= WordDelimiterGraphFilter.STEM_ENGLISH_POSSESSIVE;
        if (s.getAsBoolean("ignore_keywords", false)) f |= WordDelimiterGraphFilter.IGNORE_KEYWORDS;
        return f;
    }

    private static Function<TokenStream, TokenStream> stemmer(String lang) {
        switch (lang) {
            case "english":
            case "porter":
                return PorterStemFilter::new;
            case "light_english":
            case "kstem":
                return KStemFilter::new;
            case "minimal_english":
                return EnglishMinimalStemFilter::new;
            case "possessive_english":
                return EnglishPossessiveFilter::new;
            case "porter2":
                return in -> new SnowballFilter(in, "English");
            case "lovins":
                return in -> new SnowballFilter(in, "Lovins");
            default:
                // other languages: the Snowball stemmer of that name, e.g. german -> GermanStemmer
                String snowball = Character.toUpperCase(lang.charAt(0)) + lang.substring(1);
                try {
                    Class.forName("org.tartarus.snowball.ext." + snowball + "Stemmer", false, SnowballFilter.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new IllegalArgumentException("stemmer language [" + lang + "] is not supported by the fasou test node");
                }
                return in -> new SnowballFilter(in, snowball);
        }
    }

    /** Emits each distinct term only once (the `unique` filter without only_on_same_position). */
    private static final class UniqueTokenFilter extends TokenFilter {
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
        private final PositionIncrementAttribute posInc = addAttribute(PositionIncrementAttribute.class);
        private final CharArraySet seen = new CharArraySet(8, false);

        UniqueTokenFilter(TokenStream in) {
            super(in);
        }

        @Override
        public boolean incrementToken() throws IOException {
            int skipped = 0;
            while (input.incrementToken()) {
                if (seen.contains(term.buffer(), 0, term.length())) {
                    skipped += posInc.getPositionIncrement();
                    continue;
                }
                char[] copy = new char[term.length()];
                System.arraycopy(term.buffer(), 0, copy, 0, term.length());
                seen.add(copy);
                posInc.setPositionIncrement(posInc.getPositionIncrement() + skipped);
                return true;
            }
            return false;
        }

        @Override
        public void reset() throws IOException {
            super.reset();
            seen.clear();
        }
    }

    /**
     * synonym / synonym_graph.  Like the real implementation the rules are
     * parsed with the analysis chain that precedes the filter (tokenizer,
     * char filters and earlier token filters), so e.g. a lowercase filter
     * before the synonyms also lowercases the rules.
     * Settings: synonyms | synonyms_path, format (solr|wordnet), expand,
     * lenient, updateable.
     */
    private static final class SynonymFactory implements TokenFilterFactory {
        private final Environment env;
        private final String name;
        private final Settings settings;
        private final boolean graph;
        private final boolean expand;
        private final boolean lenient;
        private final boolean updateable;
        private final String format;

        SynonymFactory(Environment env, String name, Settings settings, boolean graph) {
            this.env = env;
            this.name = name;
            this.settings = settings;
            this.graph = graph;
            this.expand = settings.getAsBoolean("expand", true);
            this.lenient = settings.getAsBoolean("lenient", false);
            this.updateable = settings.getAsBoolean("updateable", false);
            this.format = settings.get("format", "solr");
            if (settings.get("synonyms_set") != null) {
                throw new IllegalArgumentException(
                    "[synonyms_set] is not supported by the fasou test node; use [synonyms] or [synonyms_path]"
                );
            }
            if (settings.get("ignore_case") != null) {
                throw new IllegalArgumentException("[ignore_case] is not supported; put a lowercase filter before the synonyms");
            }
            if (settings.getAsList("synonyms", null) == null && settings.get("synonyms_path") == null) {
                throw new IllegalArgumentException("synonym requires either `synonyms` or `synonyms_path` to be configured");
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public TokenStream create(TokenStream in) {
            throw new IllegalStateException("Call getChainAwareTokenFilterFactory to specialize this factory for an analysis chain first");
        }

        @Override
        public AnalysisMode getAnalysisMode() {
            return updateable ? AnalysisMode.SEARCH_TIME : AnalysisMode.ALL;
        }

        @Override
        public TokenFilterFactory getChainAwareTokenFilterFactory(
            IndexService.IndexCreationContext context,
            TokenizerFactory tokenizer,
            List<CharFilterFactory> charFilters,
            List<TokenFilterFactory> previousTokenFilters,
            Function<String, TokenFilterFactory> allFilters
        ) {
            Analyzer parsing = new CustomAnalyzer(
                tokenizer,
                charFilters.toArray(new CharFilterFactory[0]),
                previousTokenFilters.stream().map(TokenFilterFactory::getSynonymFilter).toArray(TokenFilterFactory[]::new)
            );
            SynonymMap map = buildMap(parsing);
            final AnalysisMode mode = getAnalysisMode();
            final boolean isGraph = graph;
            return new TokenFilterFactory() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public TokenStream create(TokenStream in) {
                    if (map.fst == null) {
                        return in;
                    }
                    return isGraph ? new SynonymGraphFilter(in, map, false) : new SynonymFilter(in, map, false);
                }

                @Override
                public TokenFilterFactory getSynonymFilter() {
                    return IDENTITY_FILTER;
                }

                @Override
                public AnalysisMode getAnalysisMode() {
                    return mode;
                }
            };
        }

        private SynonymMap buildMap(Analyzer analyzer) {
            List<String> rules = Analysis.getWordList(env, settings, "synonyms");
            if (rules == null) {
                throw new IllegalArgumentException("synonym requires either `synonyms` or `synonyms_path` to be configured");
            }
            try {
                SynonymMap.Parser parser;
                if ("wordnet".equalsIgnoreCase(format)) {
                    parser = new WordnetSynonymParser(true, expand, analyzer);
                    parser.parse(new StringReader(String.join("\n", rules)));
                } else {
                    SolrSynonymParser solr = new SolrSynonymParser(true, expand, analyzer);
                    if (lenient) {
                        for (String rule : rules) {
                            try {
                                solr.parse(new StringReader(rule));
                            } catch (Exception e) {
                                // lenient: skip rules that cannot be parsed
                            }
                        }
                    } else {
                        solr.parse(new StringReader(String.join("\n", rules)));
                    }
                    parser = solr;
                }
                return parser.build();
            } catch (Exception e) {
                throw new IllegalArgumentException("failed to build synonyms", e);
            }
        }
    }

    // ------------------------------------------------------------------ char filters

    @Override
    public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
        Map<String, AnalysisProvider<CharFilterFactory>> m = new LinkedHashMap<>();
        m.put("html_strip", (is, env, name, s) -> {
            Set<String> escaped = new HashSet<>(s.getAsList("escaped_tags", List.of()));
            return new CharFilterFactory() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public Reader create(Reader reader) {
                    return new HTMLStripCharFilter(reader, escaped.isEmpty() ? null : escaped);
                }
            };
        });
        m.put("mapping", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
            NormalizeCharMap.Builder builder = new NormalizeCharMap.Builder();
            for (String rule : requiredList(env, s, "mappings", "mapping")) {
                Matcher mt = RULE.matcher(rule);
                if (mt.matches() == false) {
                    throw new IllegalArgumentException("Invalid Mapping Rule : [" + rule + "]");
                }
                String from = unescape(mt.group(1));
                if (from.isEmpty()) {
                    throw new IllegalArgumentException("Invalid Mapping Rule : [" + rule + "]");
                }
                builder.add(from, unescape(mt.group(2)));
            }
            NormalizeCharMap map = builder.build();
            return new NormalizingCharFilterFactory() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public Reader create(Reader reader) {
                    return new MappingCharFilter(map, reader);
                }
            };
        }));
        m.put("pattern_replace", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
            String pattern = s.get("pattern");
            if (pattern == null) {
                throw new IllegalArgumentException("pattern is missing for [" + name + "] char filter of type 'pattern_replace'");
            }
            Pattern p = Pattern.compile(pattern, regexFlags(s.get("flags")));
            String replacement = s.get("replacement", "");
            return new NormalizingCharFilterFactory() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public Reader create(Reader reader) {
                    return new PatternReplaceCharFilter(p, replacement, reader);
                }
            };
        }));
        return m;
    }

    // ------------------------------------------------------------------ analyzers

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> m = new LinkedHashMap<>();
        m.put("cjk", (is, env, name, s) -> analyzer(name, new CJKAnalyzer(Analysis.parseStopWords(env, s, CJKAnalyzer.getDefaultStopSet()))));
        m.put("english", (is, env, name, s) -> analyzer(
            name,
            new EnglishAnalyzer(
                Analysis.parseStopWords(env, s, EnglishAnalyzer.getDefaultStopSet()),
                Analysis.parseStemExclusion(s, CharArraySet.EMPTY_SET)
            )
        ));
        return m;
    }

    private static AnalyzerProvider<Analyzer> analyzer(String name, Analyzer analyzer) {
        return new AnalyzerProvider<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public AnalyzerScope scope() {
                return AnalyzerScope.INDEX;
            }

            @Override
            public Analyzer get() {
                return analyzer;
            }
        };
    }
}
