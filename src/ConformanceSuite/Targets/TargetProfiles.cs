using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Targets;

/// <summary>
/// Reads target profiles (<c>targets/*.json</c>): validated against <c>target.schema.json</c>; credentials
/// only by environment-variable reference (a literal secret is refused); values may reference variables too.
/// </summary>
public static class TargetProfiles
{
    /// <summary>
    /// Why a base URL is refused for its query or fragment, and what to do; null when it has neither. The URL is not
    /// quoted: a query often carries a key (Azure Functions' ?code=), which the suite would not send (endpoint paths are
    /// joined to the base URL's path alone) and would write into every report.
    /// </summary>
    public static string? QueryOrFragment(Uri baseUrl) => baseUrl.Query.Length > 0 || baseUrl.Fragment.Length > 0
        ? "has a query or a fragment ('?…' or '#…'), which the suite would not send (endpoint paths are joined to the base URL's path alone) and would write into every report: give the base URL without it"
        : null;

    public const string EmbeddedName = "embedded";

    /// <summary>A parsed profile; <see cref="Embedded"/> profiles are resolved by whoever starts the mock.</summary>
    public sealed record Profile(string File, string Name, string Description, bool Embedded, HttpSettings Http, TimeSpan RunTimeout, JsonObject Json);

    public static Profile Read(RepositoryLayout layout, string path)
    {
        var file = File.Exists(path) ? path : Path.Combine(layout.Targets, path.EndsWith(".json", StringComparison.Ordinal) ? path : path + ".json");
        if (!File.Exists(file))
        {
            if (Directory.Exists(path))
            {
                // Not "not found": the path is there, and the user would look for a missing file.
                throw new ConfigurationException($"the target profile {path} is a folder, not a file: give a profile's .json file, or the name of one in targets/");
            }

            var known = Directory.Exists(layout.Targets)
                ? string.Join(", ", Directory.EnumerateFiles(layout.Targets, "*.json").Select(Path.GetFileNameWithoutExtension))
                : "none";
            throw new ConfigurationException($"target profile '{path}' not found (profiles in targets/: {known})");
        }

        var node = SchemaValidator.ParseJson(file, InputFile.ReadAllText(file, "target profile"));
        RefuseLiteralSecrets(file, node);
        var format = layout.FormatSchema("target.schema.json");
        if (!layout.IsValidated(file, format))
        {
            SchemaValidator.EnsureValid(file, node, format);
        }

        var json = (JsonObject)node;
        if (json["apis"] is JsonObject apis && apis.Count > 0)
        {
            // An API id the contracts do not have (a typo, an API since renamed): its overrides, credentials and data would go unused, unseen.
            var known = Directory.Exists(layout.Schemas) ? layout.ApiIds().ToList() : [];
            if (apis.Select(kv => kv.Key).FirstOrDefault(id => !known.Contains(id, StringComparer.Ordinal)) is { } unknown)
            {
                throw new ConfigurationException(file, "/apis/" + unknown.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal),
                    $"names API '{unknown}', which the contracts in {layout.Schemas} do not have (known: {(known.Count > 0 ? string.Join(", ", known) : "none")})");
            }
        }

        RefuseWhatCannotBeHeld(file, json);
        var timeouts = json["timeouts"] as JsonObject;
        var http = new HttpSettings
        {
            RequestTimeout = TimeSpan.FromSeconds(timeouts?["requestSeconds"]?.GetValue<double>() ?? 30),
            PatternTimeout = timeouts?["patternSeconds"] is { } pattern ? TimeSpan.FromSeconds(pattern.GetValue<double>()) : new HttpSettings().PatternTimeout,
            IdleTimeout = timeouts?["idleSeconds"] is { } idle ? TimeSpan.FromSeconds(idle.GetValue<double>()) : null,
            MinBytesPerSecond = timeouts?["minBytesPerSecond"]?.GetValue<long>() ?? new HttpSettings().MinBytesPerSecond,
            LatencyWarn = json["latency"]?["warnSeconds"] is { } warn ? TimeSpan.FromSeconds(warn.GetValue<double>()) : new HttpSettings().LatencyWarn,
            MaxBufferedBytes = json["maxBufferedBytes"]?.GetValue<long>() ?? new HttpSettings().MaxBufferedBytes,
            MaxArchiveBytes = json["maxArchiveBytes"]?.GetValue<long>() ?? new HttpSettings().MaxArchiveBytes,
            MaxSpillBytes = json["maxSpillBytes"]?.GetValue<long>() ?? new HttpSettings().MaxSpillBytes,
            MaxUrlChars = json["maxUrlChars"]?.GetValue<int>() ?? new HttpSettings().MaxUrlChars,
            MaxDecompressionRatio = json["maxDecompressionRatio"]?.GetValue<double>() ?? new HttpSettings().MaxDecompressionRatio,
            DownloadTimeout = timeouts?["downloadSeconds"] is { } download ? TimeSpan.FromSeconds(download.GetValue<double>()) : new HttpSettings().DownloadTimeout,
            RequestsPerMinute = json["rateLimit"]?["requestsPerMinute"]?.GetValue<double>(),
            InsecureTls = json["insecureTls"]?.GetValue<bool>() ?? false,
            AllowPrivateAddresses = json["allowPrivateAddresses"]?.GetValue<bool>() ?? false,
            MaxRetries = json["retries"]?["max"]?.GetValue<int>() ?? new HttpSettings().MaxRetries,
            MaxRetryWait = json["retries"]?["maxWaitSeconds"] is { } wait ? TimeSpan.FromSeconds(wait.GetValue<double>()) : new HttpSettings().MaxRetryWait,
        };
        // The schema bounds it too; a profile taken as validated (by its hash) is held to the same bounds here.
        if (http.MaxDecompressionRatio is < HttpSettings.LeastDecompressionRatio or > HttpSettings.MostDecompressionRatio)
        {
            throw new ConfigurationException(file, "/maxDecompressionRatio",
                $"{http.MaxDecompressionRatio.ToString(System.Globalization.CultureInfo.InvariantCulture)} is out of bounds: at least {HttpSettings.LeastDecompressionRatio} and at most {HttpSettings.MostDecompressionRatio:0}");
        }

        return new Profile(
            file,
            json["name"]!.GetValue<string>(),
            json["description"]?.GetValue<string>() ?? "",
            json["embedded"]?.GetValue<bool>() ?? false,
            http,
            TimeSpan.FromSeconds(timeouts?["runSeconds"]?.GetValue<double>() ?? 1800),
            json);
    }

    /// <summary>
    /// Refuses the numbers the schema allows but the suite cannot hold: a time above 0 that is less than a tick (0.0000001 s)
    /// would be 0 (a pattern's bound of 0 throws at its first match, a latency bound of 0 makes every answer late), and a
    /// count past a 32-bit integer (the schema sets no maximum) could not be read. The command line's timeouts are held to
    /// the same (<c>TimeoutSetting</c>).
    /// </summary>
    private static void RefuseWhatCannotBeHeld(string file, JsonObject json)
    {
        foreach (var (group, name) in new[] { ("timeouts", "requestSeconds"), ("timeouts", "patternSeconds"), ("timeouts", "idleSeconds"), ("timeouts", "downloadSeconds"), ("timeouts", "runSeconds"), ("latency", "warnSeconds") })
        {
            if (json[group]?[name] is JsonValue value && value.TryGetValue<double>(out var seconds) && seconds > 0 && TimeSpan.FromSeconds(seconds).Ticks == 0)
            {
                throw new ConfigurationException(file, $"/{group}/{name}",
                    $"{seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s is less than the shortest time the suite can hold: expected at least 0.0000001");
            }
        }

        var counts = (json["apis"] as JsonObject ?? []).Select(kv => ($"/apis/{kv.Key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}/requestBudget", (kv.Value as JsonObject)?["requestBudget"]))
            .Append(("/maxUrlChars", json["maxUrlChars"]));
        foreach (var (pointer, node) in counts)
        {
            if (node is JsonValue count && !count.TryGetValue<int>(out _) && count.TryGetValue<double>(out var big))
            {
                throw new ConfigurationException(file, pointer,
                    $"{big.ToString(System.Globalization.CultureInfo.InvariantCulture)} is too big: at most {int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            }
        }
    }

    /// <summary>The contract overlays a profile declares, by API id (usable before the target is resolved).</summary>
    public static IReadOnlyDictionary<string, JsonNode?> Overrides(Profile profile) =>
        (profile.Json["apis"] as JsonObject ?? [])
        .ToDictionary(kv => kv.Key, kv => (kv.Value as JsonObject)?["overrides"]?.DeepClone());

    /// <summary>The requirements a profile declares not applicable, by API id: requirement id → the reason.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NotApplicable(Profile profile) =>
        (profile.Json["apis"] as JsonObject ?? [])
        .ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, string>)((kv.Value as JsonObject)?["notApplicable"] as JsonObject ?? [])
            .ToDictionary(r => r.Key, r => r.Value!.GetValue<string>(), StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>The request budgets a profile sets, by API id (<c>apis.&lt;id&gt;.requestBudget</c>).</summary>
    public static IReadOnlyDictionary<string, int> RequestBudgets(Profile profile) =>
        (profile.Json["apis"] as JsonObject ?? [])
        .Where(kv => (kv.Value as JsonObject)?["requestBudget"] is not null)
        .ToDictionary(kv => kv.Key, kv => kv.Value!["requestBudget"]!.GetValue<int>(), StringComparer.Ordinal);

    /// <summary>Resolves a live profile: base URLs, credentials and test data from the profile and the variables it references.</summary>
    /// <param name="profile">The profile.</param>
    /// <param name="apiIds">The APIs of the run.</param>
    /// <param name="env">Looks up a variable the profile references (<c>{"env": "NAME"}</c>); front ends pass their environment.</param>
    public static ResolvedTarget Resolve(Profile profile, IEnumerable<string> apiIds, Func<string, string?> env)
    {
        if (profile.Embedded)
        {
            throw new ConfigurationException($"{profile.File}: an embedded profile is resolved by starting the mock, not here");
        }

        var apis = new Dictionary<string, ApiTarget>(StringComparer.Ordinal);
        var apisJson = profile.Json["apis"] as JsonObject ?? [];
        RefuseUnsetVariables(profile, apisJson, apiIds, env);
        foreach (var id in apiIds)
        {
            if (apisJson[id] is not JsonObject api)
            {
                throw new ConfigurationException(profile.File, "/apis", $"no entry for API '{id}' (the run asks for it)");
            }

            var pointer = $"/apis/{id}";
            var baseUrlText = Value(profile.File, pointer + "/baseUrl", api["baseUrl"], env)
                ?? throw new ConfigurationException(profile.File, pointer + "/baseUrl", api["baseUrl"]?["env"]?.GetValue<string>() is { } urlVariable
                    ? $"the base URL comes from the environment variable {urlVariable}, which is not set"
                    : "a base URL is required");
            if (!Uri.TryCreate(baseUrlText, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            {
                throw new ConfigurationException(profile.File, pointer + "/baseUrl", $"'{baseUrlText}' is not an absolute http(s) URL");
            }

            if (QueryOrFragment(baseUrl) is { } why)
            {
                throw new ConfigurationException(profile.File, pointer + "/baseUrl", why);
            }

            var credentials = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, reference) in api["credentials"] as JsonObject ?? [])
            {
                var variable = reference!["env"]!.GetValue<string>();
                var value = env(variable);
                if (string.IsNullOrEmpty(value))
                {
                    throw new ConfigurationException(profile.File, $"{pointer}/credentials/{name}",
                        $"credential '{name}' comes from the environment variable {variable}, which is not set");
                }

                credentials[name] = value;
            }

            var testData = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (slot, raw) in api["testData"] as JsonObject ?? [])
            {
                if (Value(profile.File, $"{pointer}/testData/{slot}", raw, env) is { Length: > 0 } v)
                {
                    testData[slot] = v;
                }
            }

            var pact = api["pact"] as JsonObject;
            Uri? Url(string pointer, JsonNode? node) =>
                Value(profile.File, pointer, node, env) is { Length: > 0 } text
                    ? Uri.TryCreate(text, UriKind.Absolute, out var u) ? u : throw new ConfigurationException(profile.File, pointer, $"'{text}' is not an absolute URL")
                    : null;
            apis[id] = new ApiTarget
            {
                ApiId = id,
                BaseUrl = baseUrl,
                Credentials = credentials,
                TestData = testData,
                Overrides = api["overrides"]?.DeepClone(),
                Pact = new PactTarget
                {
                    StateUrl = Url($"{pointer}/pact/stateUrl", pact?["stateUrl"]),
                    ExampleCredentials = pact?["exampleCredentials"]?.GetValue<bool>() ?? false,
                    Providers = (pact?["providers"] as JsonObject ?? []).Select(kv => (kv.Key, Url: Url($"{pointer}/pact/providers/{kv.Key}", kv.Value)))
                        .Where(x => x.Url is not null).ToDictionary(x => x.Key, x => x.Url!),
                    Broker = pact?["broker"] is JsonObject broker ? Broker(profile.File, $"{pointer}/pact/broker", broker, env) : null,
                },
            };
        }

        return new ResolvedTarget
        {
            Name = profile.Name,
            Description = profile.Description,
            Apis = apis,
            Http = profile.Http,
            RunTimeout = profile.RunTimeout,
        };
    }

    private static PactBroker Broker(string file, string pointer, JsonObject broker, Func<string, string?> env)
    {
        var url = Value(file, pointer + "/url", broker["url"], env) is { Length: > 0 } u && Uri.TryCreate(u, UriKind.Absolute, out var parsed)
            ? parsed
            : throw new ConfigurationException(file, pointer + "/url", "the broker URL is missing or not absolute");
        string? token = null;
        if (broker["token"]?["env"]?.GetValue<string>() is { } variable)
        {
            token = env(variable) is { Length: > 0 } t ? t : throw new ConfigurationException(file, pointer + "/token", $"the broker token comes from {variable}, which is not set");
            if (CredentialSet.UnsendableReason(token) is { } why)
            {
                // The relay would send it to the broker on every request and fail each one: refused before anything is sent.
                throw new ConfigurationException(file, pointer + "/token", $"the broker token from {variable} {why}");
            }
        }

        var publish = broker["publish"]?.GetValue<bool>() ?? false;
        var version = Value(file, pointer + "/providerVersion", broker["providerVersion"], env);
        if (publish && string.IsNullOrEmpty(version))
        {
            throw new ConfigurationException(file, pointer + "/providerVersion", "publishing results needs the provider version");
        }

        return new PactBroker(url, token, version, Value(file, pointer + "/branch", broker["branch"], env), publish);
    }

    /// <summary>
    /// Refuses, in one message, every variable the run's APIs need (their base URLs without a default, and their
    /// credentials) that is not set, when there are two or more: a user who sets one per run would need as many runs.
    /// One alone is refused where it is read, with its pointer.
    /// </summary>
    private static void RefuseUnsetVariables(Profile profile, JsonObject apisJson, IEnumerable<string> apiIds, Func<string, string?> env)
    {
        var unset = new List<string>();
        foreach (var id in apiIds)
        {
            if (apisJson[id] is not JsonObject api)
            {
                continue;
            }

            if (api["baseUrl"] is JsonObject { } url && url["default"] is null && url["env"]?.GetValue<string>() is { } urlVariable && string.IsNullOrEmpty(env(urlVariable)))
            {
                unset.Add($"{urlVariable} (the base URL of {id})");
            }

            foreach (var (name, reference) in api["credentials"] as JsonObject ?? [])
            {
                if (reference?["env"]?.GetValue<string>() is { } variable && string.IsNullOrEmpty(env(variable)))
                {
                    unset.Add($"{variable} (credential '{name}' of {id})");
                }
            }
        }

        if (unset.Count > 1)
        {
            throw new ConfigurationException(profile.File, "/apis", $"{unset.Count} environment variables the run needs are not set: {string.Join(", ", unset)}");
        }
    }

    private static string? Value(string file, string pointer, JsonNode? node, Func<string, string?> env)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonValue v when v.TryGetValue<string>(out var s):
                return s;
            case JsonObject o:
                var variable = o["env"]!.GetValue<string>();
                var value = env(variable);
                if (string.IsNullOrEmpty(value))
                {
                    value = o["default"]?.GetValue<string>();
                }

                return value;
            default:
                throw new ConfigurationException(file, pointer, "expected a string or {\"env\": \"VARIABLE\"}");
        }
    }

    private static void RefuseLiteralSecrets(string file, JsonNode node)
    {
        // Before the schema check: any shape may come here (the schema names what is wrong with it).
        foreach (var (api, entry) in (node as JsonObject)?["apis"] as JsonObject ?? [])
        {
            foreach (var (name, value) in (entry as JsonObject)?["credentials"] as JsonObject ?? [])
            {
                if (value is JsonValue || (value is JsonObject o && o.ContainsKey("value")))
                {
                    throw new ConfigurationException(file, $"/apis/{api}/credentials/{name}",
                        "a literal credential is refused: reference an environment variable instead, e.g. {\"env\": \"MY_TOKEN\"}");
                }
            }
        }
    }
}
