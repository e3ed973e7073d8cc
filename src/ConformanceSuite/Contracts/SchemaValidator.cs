using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConformanceSuite.Http;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.References;
using NJsonSchema.Validation;

namespace ConformanceSuite.Contracts;

/// <summary>One schema violation: where (a JSON pointer) and why, in words.</summary>
public sealed record SchemaViolation(string Pointer, string Reason)
{
    /// <summary>The kind of violation (NJsonSchema's name for it, e.g. <c>PropertyRequired</c>).</summary>
    public string Kind { get; init; } = "";

    public override string ToString() => $"at {(Pointer.Length == 0 ? "/" : Pointer)}: {Reason}";
}

/// <summary>Validates JSON against JSON Schemas (NJsonSchema) and reports violations as JSON pointers.</summary>
public static class SchemaValidator
{
    private static readonly ConcurrentDictionary<string, Lazy<JsonSchema>> Cache = new(StringComparer.Ordinal);

    /// <summary>
    /// Loads a schema file once for each text it has had: loaded again, a file whose bytes are as they were is the schema
    /// already read, and a file edited since is read afresh. A malformed schema is a configuration error. The key is
    /// the file's own text: for a schema whose $refs name other files, <see cref="ReadSchemaFile"/> reads it whole each time.
    /// </summary>
    public static JsonSchema LoadSchema(string path)
    {
        var full = Path.GetFullPath(path);
        var text = ReadSchemaText(full);
        var key = full + "\n" + TextHash(text);
        var lazy = Cache.GetOrAdd(key, _ => new Lazy<JsonSchema>(() => ReadSchema(full, text)));
        try
        {
            return lazy.Value;
        }
        catch (ConfigurationException)
        {
            Cache.TryRemove(key, out _);
            throw;
        }
    }

    /// <summary>The SHA-256 of a text's UTF-8, as hex: a schema's key, and a document's that its format schema found valid.</summary>
    private static string TextHash(string text) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Reads a schema file and every file its $refs name, afresh (no cache); a malformed schema is a configuration error.</summary>
    public static JsonSchema ReadSchemaFile(string path)
    {
        var full = Path.GetFullPath(path);
        return ReadSchema(full, ReadSchemaText(full));
    }

    private static string ReadSchemaText(string path) =>
        File.Exists(path) ? InputFile.ReadAllText(path, "JSON Schema file")
        : throw new ConfigurationException(path, "", "the JSON Schema file does not exist");

    private static JsonSchema ReadSchema(string path, string text)
    {
        ParseJson(path, text);
        try
        {
            // The text already read, not the file again; and every file its $refs name read the same way.
            var schema = JsonSchema.FromJsonAsync(text, path, schema => new InputFileReferenceResolver(schema)).GetAwaiter().GetResult();
            RefuseUnusable(path, schema);
            return schema;
        }
        catch (Exception ex) when (ex is not ConfigurationException)
        {
            // A file a $ref names that is refused (a pipe, a device, unreadable) comes back wrapped in NJsonSchema's own error.
            for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
            {
                if (inner is ConfigurationException refused)
                {
                    throw new ConfigurationException($"{path}: {refused.Message}", ex);
                }
            }

            throw new ConfigurationException(path, "", $"not a usable JSON Schema: {ex.Message}");
        }
    }

    /// <summary>
    /// Refuses what the library loads but a check cannot use, so an edited schema is a load-time error with its file, not
    /// an error of the first check to meet it: a <c>$ref</c> that leads only to <c>$ref</c>s, back to itself (the library
    /// throws at each use), and a pattern (a value's, or a <c>patternProperties</c> name) that is no regular expression,
    /// read as JSON Schema means it or as the library reads it.
    /// </summary>
    private static void RefuseUnusable(string path, JsonSchema root)
    {
        var seen = new HashSet<JsonSchema>(ReferenceEqualityComparer.Instance);
        var next = new Stack<JsonSchema?>([root]);
        while (next.Count > 0)
        {
            if (next.Pop() is not { } schema || !seen.Add(schema))
            {
                continue;
            }

            try
            {
                next.Push(schema.ActualSchema);
            }
            catch (InvalidOperationException ex)
            {
                throw Unusable(path, schema, $"a $ref leads back to itself through $refs alone, never to a schema ({ex.Message})");
            }

            foreach (var pattern in schema.PatternProperties.Keys.Prepend(schema.Pattern).OfType<string>())
            {
                try
                {
                    _ = new Regex(pattern, RegexOptions.None);
                    _ = new Regex(EcmaPattern.Translate(pattern), RegexOptions.CultureInvariant);
                }
                catch (ArgumentException ex)
                {
                    throw Unusable(path, schema, $"the pattern '{ProviderText.Bounded(pattern)}' is not a valid regular expression: {ex.Message}");
                }
            }

            foreach (var inner in schema.Properties.Values.Concat(schema.PatternProperties.Values).Concat(schema.Definitions.Values)
                .Concat(schema.AllOf).Concat(schema.AnyOf).Concat(schema.OneOf).Concat(schema.Items)
                .Append(schema.Item).Append(schema.Not).Append(schema.AdditionalPropertiesSchema).Append(schema.AdditionalItemsSchema))
            {
                next.Push(inner);
            }
        }
    }

    /// <summary>The refusal of a schema that is unusable: in the file it is in (one the loaded file's $refs name, maybe), with that file's.</summary>
    private static ConfigurationException Unusable(string path, JsonSchema schema, string why)
    {
        // The library appends a file a $ref names to the schema of the file that names it, with its path as the $ref gave
        // it: the documents up from the schema, each relative to the one above it, lead from the loaded file to its own.
        var documents = new List<string>();
        for (object? node = schema; node is JsonSchema up; node = up.Parent)
        {
            if (up.DocumentPath is { Length: > 0 } document)
            {
                documents.Add(document);
            }
        }

        var file = path;
        for (var i = documents.Count - 1; i >= 0; i--)
        {
            file = Path.GetFullPath(documents[i], Path.GetDirectoryName(file)!);
        }

        return new ConfigurationException(file, "", $"not a usable JSON Schema{(file == path ? "" : $" (a $ref of {path} names it)")}: {why}");
    }

    /// <summary>
    /// Resolves a schema's <c>$ref</c> to another file as NJsonSchema does, but reads the file through <see cref="InputFile"/>:
    /// NJsonSchema's own read opens a named pipe and waits for a writer, and reads a device without end.
    /// </summary>
    private sealed class InputFileReferenceResolver(JsonSchema schema) : JsonReferenceResolver(new JsonSchemaAppender(schema, new DefaultTypeNameGenerator()))
    {
        public override async Task<IJsonReference> ResolveFileReferenceAsync(string filePath, CancellationToken cancellationToken = default)
        {
            if (!File.Exists(filePath))
            {
                // NJsonSchema's own error, which it answers by trying the path another way.
                return await base.ResolveFileReferenceAsync(filePath, cancellationToken).ConfigureAwait(false);
            }

            var text = InputFile.ReadAllText(filePath, "JSON Schema file");
            ParseJson(filePath, text);
            return await JsonSchema.FromJsonAsync(text, filePath, _ => this, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Refused: NJsonSchema would fetch the URL itself, outside the suite's HTTP layer (its limits, its address
        /// policy, its log), while the contracts load. A contract's schemas refer to files beside it.
        /// </summary>
        public override Task<IJsonReference> ResolveUrlReferenceAsync(string url, CancellationToken cancellationToken = default) =>
            throw new ConfigurationException($"a $ref names the URL {ProviderText.Bounded(url)}: the suite fetches nothing while it loads contracts; copy that schema into the contracts folder and refer to the file");
    }

    /// <summary>Parses JSON text, turning a syntax error into a located configuration error.</summary>
    public static JsonNode ParseJson(string file, string text)
    {
        try
        {
            // A duplicate key is refused here: a JsonObject would throw on its first lookup, past this catch. So is a
            // string escaping half of a surrogate pair ("\ud800"), which throws wherever it is first read.
            var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowDuplicateProperties = false })
                       ?? throw new ConfigurationException(file, "", "the file holds JSON null, not an object");
            Checks.ProviderJson.RefuseHalfSurrogates(System.Text.Encoding.UTF8.GetBytes(text), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            return node;
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is null ? "" : $" (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})";
            throw new ConfigurationException(file, "", $"not valid JSON{where}: {FirstSentence(ex.Message)}");
        }
    }

    /// <summary>
    /// The most elements of one array, or members of one object, that are validated. A body of a few megabytes can hold
    /// a million tiny elements that each break the schema several times over; the validator would build every one of
    /// those violations (a gigabyte and ten seconds for 400,000 <c>{}</c>; 3.7 s and 419 MiB for an object of 400,000
    /// members a strict schema does not allow). Past this, an array's first elements are validated and the rest are
    /// not, and an object's first members and every member the schema names, which
    /// <see cref="Validate(JsonSchema, string, out string?, TimeSpan?)"/> says. A page or a list of the documented sizes (100,
    /// 1,000) is validated whole.
    /// </summary>
    public const int MaxValidatedElements = 1000;

    public static IReadOnlyList<SchemaViolation> Validate(JsonSchema schema, string json) => Validate(schema, json, out _);

    /// <summary>
    /// Validates <paramref name="json"/>; <paramref name="inPart"/> is null when all of it was validated, otherwise
    /// which arrays and objects were validated only up to <see cref="MaxValidatedElements"/>, or that none of it was,
    /// a pattern having met a value it could not judge within <paramref name="patternTimeout"/> (limits of the suite's
    /// own; null is <see cref="PatternBound.DefaultLimit"/>).
    /// </summary>
    /// <remarks>
    /// <see cref="FastValidation"/> answers first: a body it finds valid for certain has no violations, and NJsonSchema is
    /// asked only of the others.
    /// </remarks>
    public static IReadOnlyList<SchemaViolation> Validate(JsonSchema schema, string json, out string? inPart, TimeSpan? patternTimeout = null)
    {
        inPart = null;
        var limit = patternTimeout ?? PatternBound.DefaultLimit;
        return FastValidation.IsCertainlyValid(schema, json, limit) ? [] : ValidateByLibrary(schema, json, out inPart, limit);
    }

    /// <summary>
    /// The same for a body the caller has parsed already (<paramref name="parsed"/>, from <paramref name="utf8"/>): its
    /// text is made only when NJsonSchema is asked, which a body <see cref="FastValidation"/> finds valid never is (a walk's
    /// pages, nearly all of them).
    /// </summary>
    public static IReadOnlyList<SchemaViolation> Validate(JsonSchema schema, JsonElement parsed, byte[] utf8, out string? inPart, TimeSpan? patternTimeout = null)
    {
        inPart = null;
        var limit = patternTimeout ?? PatternBound.DefaultLimit;
        return FastValidation.IsCertainlyValid(schema, parsed, limit) ? [] : ValidateByLibrary(schema, System.Text.Encoding.UTF8.GetString(utf8), out inPart, limit);
    }

    /// <summary>The same without <see cref="FastValidation"/>'s first pass: NJsonSchema's verdict, with the suite's formats and patterns.</summary>
    public static IReadOnlyList<SchemaViolation> ValidateByLibrary(JsonSchema schema, string json, out string? inPart, TimeSpan limit)
    {
        inPart = null;
        var cut = new List<string>();
        var text = Shortened(json, schema, cut);
        if (cut.Count > 0)
        {
            inPart = $"only the first {MaxValidatedElements:N0} elements of {string.Join(", ", cut.Take(3))}{(cut.Count > 3 ? $" and {cut.Count - 3} more" : "")} were validated (the suite's bound)";
        }

        ICollection<ValidationError> errors;
        try
        {
            errors = new BoundedValidator(limit).Validate(text, schema);
        }
        catch (Newtonsoft.Json.JsonException ex)
        {
            return [new SchemaViolation("", $"not valid JSON: {FirstSentence(ex.Message)}")];
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException ex)
        {
            // The validator stops at the first such value, so nothing of this body is judged: not even what it found before.
            inPart = $"not validated: the schema's pattern '{ProviderText.Bounded(ex.Pattern)}' took longer than {ex.MatchTimeout.TotalSeconds:0.##} s on a value of {ex.Input.Length:N0} characters (a pattern that backtracks; the suite's bound, timeouts.patternSeconds)";
            return [];
        }

        return errors.SelectMany(Flatten).Distinct().OrderBy(v => v.Pointer, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// NJsonSchema's validator, with the suite's settings, that first matches every pattern a value meets under
    /// <see cref="PatternBound"/>: a value's own pattern, and the patterns of <c>patternProperties</c> against each member's name.
    /// A value's pattern is judged as JSON Schema means it (<see cref="EcmaPattern"/>), where NJsonSchema reads it as .NET
    /// does: where the two readings differ, JSON Schema's decides.
    /// </summary>
    private sealed class BoundedValidator(TimeSpan limit) : JsonSchemaValidator(Formats.ValidatorSettings)
    {
        protected override ICollection<ValidationError> Validate(JToken token, JsonSchema schema, SchemaType schemaType, string propertyName, string propertyPath)
        {
            bool? asNet = null;
            var asSchema = true;
            if (token.Type == JTokenType.String && !string.IsNullOrEmpty(schema.Pattern))
            {
                var value = token.Value<string>()!;
                asNet = PatternBound.IsMatch(schema.Pattern, value, limit);
                asSchema = PatternBound.IsSchemaMatch(schema.Pattern, value, limit);
            }

            if (token is JObject members && schema.PatternProperties.Count > 0)
            {
                foreach (var member in members.Properties())
                {
                    foreach (var pattern in schema.PatternProperties.Keys)
                    {
                        PatternBound.IsMatch(pattern, member.Name, limit);
                    }
                }
            }

            var errors = base.Validate(token, schema, schemaType, propertyName, propertyPath);
            if (asNet is not { } net || net == asSchema)
            {
                return errors;
            }

            // A string's own errors are all of this level: NJsonSchema's pattern verdict is replaced by JSON Schema's.
            var judged = errors.Where(e => e.Kind != ValidationErrorKind.PatternMismatch).ToList();
            if (!asSchema)
            {
                judged.Add(new ValidationError(ValidationErrorKind.PatternMismatch, propertyName, propertyPath, token, schema));
            }

            return judged;
        }
    }

    /// <summary>
    /// <paramref name="json"/> itself when no array or object in it has more than <see cref="MaxValidatedElements"/> elements
    /// or members (nearly always: one quick pass); otherwise the same JSON with every array cut to that many elements, and
    /// every object to that many members and those <paramref name="schema"/> names, each one cut going into
    /// <paramref name="cut"/> as "&lt;pointer&gt; (N)". Text that does not parse is left to the validator, which names the problem.
    /// </summary>
    private static string Shortened(string json, JsonSchema schema, List<string> cut)
    {
        try
        {
            var utf8 = Encoding.UTF8.GetBytes(json);
            if (!HasLongContainer(utf8))
            {
                return json;
            }

            using var document = JsonDocument.Parse(utf8);
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                WriteShortened(writer, document.RootElement, "", Named.GetValue(schema, NamesIn), cut);
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    /// <summary>Whether some array or object holds more than <see cref="MaxValidatedElements"/> elements or members: one forward pass, nothing built.</summary>
    private static bool HasLongContainer(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        // The elements or members seen so far of each open array or object, innermost last.
        var open = new Stack<(int Count, bool Array)>();
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Comment:
                    continue;
                case JsonTokenType.EndArray:
                case JsonTokenType.EndObject:
                    open.Pop();
                    continue;
            }

            // A member is counted at its name; an element, as it starts.
            if (open.Count > 0 && (reader.TokenType == JsonTokenType.PropertyName || open.Peek().Array))
            {
                var (count, array) = open.Pop();
                if (count + 1 > MaxValidatedElements)
                {
                    return true;
                }

                open.Push((count + 1, array));
            }

            if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
            {
                open.Push((0, reader.TokenType == JsonTokenType.StartArray));
            }
        }

        return false;
    }

    private static void WriteShortened(Utf8JsonWriter writer, JsonElement element, string pointer, IReadOnlySet<string> named, List<string> cut)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                // Past the bound, a member is written only when the schema names it: a required member far down an
                // object of many must not look missing.
                var members = 0;
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    if (members++ < MaxValidatedElements || named.Contains(property.Name))
                    {
                        writer.WritePropertyName(property.Name);
                        WriteShortened(writer, property.Value, pointer + JsonPointer.Member(property.Name), named, cut);
                    }
                }

                writer.WriteEndObject();
                if (members > MaxValidatedElements)
                {
                    cut.Add($"{(pointer.Length == 0 ? "/" : pointer)} ({members:N0} members; those the schema names are all validated)");
                }

                break;
            case JsonValueKind.Array:
                var length = element.GetArrayLength();
                if (length > MaxValidatedElements)
                {
                    cut.Add($"{(pointer.Length == 0 ? "/" : pointer)} ({length:N0})");
                }

                writer.WriteStartArray();
                var i = 0;
                foreach (var item in element.EnumerateArray().Take(MaxValidatedElements))
                {
                    WriteShortened(writer, item, $"{pointer}/{i++}", named, cut);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    /// <summary>The member names each schema names anywhere (properties, required), found once per schema.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<JsonSchema, IReadOnlySet<string>> Named = new();

    private static IReadOnlySet<string> NamesIn(JsonSchema root)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<JsonSchema>(ReferenceEqualityComparer.Instance);
        var next = new Stack<JsonSchema?>([root]);
        while (next.Count > 0)
        {
            if (next.Pop()?.ActualSchema is not { } schema || !seen.Add(schema))
            {
                continue;
            }

            names.UnionWith(schema.Properties.Keys);
            names.UnionWith(schema.RequiredProperties);
            foreach (var inner in schema.Properties.Values.Concat(schema.PatternProperties.Values).Concat(schema.Definitions.Values)
                .Concat(schema.AllOf).Concat(schema.AnyOf).Concat(schema.OneOf).Concat(schema.Items)
                .Append(schema.Item).Append(schema.Not).Append(schema.AdditionalPropertiesSchema).Append(schema.AdditionalItemsSchema))
            {
                next.Push(inner);
            }
        }

        return names;
    }

    public static IReadOnlyList<SchemaViolation> Validate(JsonSchema schema, JsonNode node) =>
        Validate(schema, node.ToJsonString());

    /// <summary>
    /// The documents each format schema has found valid, whole (none cut, no pattern timed out), by the SHA-256 of
    /// their JSON text. A verdict depends on nothing else (the schema is loaded once per text, <see cref="LoadSchema"/>),
    /// so the same contract file, validated again in the same process (every engine run, every mock start, reads and
    /// validates its contracts), is not validated again. A document with other bytes has another hash and is validated
    /// as usual; an invalid one is never remembered, so it fails each time with its error.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<JsonSchema, ConcurrentDictionary<string, bool>> FoundValid = new();

    /// <summary>Validates a data file against its format schema; throws a located error for the first violations.</summary>
    public static void EnsureValid(string file, JsonNode node, string formatSchemaPath)
    {
        var schema = LoadSchema(formatSchemaPath);
        var json = node.ToJsonString();
        var valid = FoundValid.GetValue(schema, _ => new ConcurrentDictionary<string, bool>(StringComparer.Ordinal));
        var hash = TextHash(json);
        if (valid.ContainsKey(hash))
        {
            return;
        }

        var violations = Validate(schema, json, out var inPart);
        if (violations.Count == 0)
        {
            if (inPart is null)
            {
                valid.TryAdd(hash, true);
            }

            return;
        }

        var first = violations[0];
        var more = violations.Count > 1
            ? $" (and {violations.Count - 1} more: {string.Join("; ", violations.Skip(1).Take(4))})"
            : "";
        throw new ConfigurationException(file, first.Pointer, first.Reason + more);
    }

    private static IEnumerable<SchemaViolation> Flatten(ValidationError error)
    {
        if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
        {
            // For oneOf/anyOf, the branch errors say more than "not one of"; keep the branch with fewest complaints.
            var best = child.Errors.Values.OrderBy(e => e.Count).First();
            if (best.Count > 0)
            {
                foreach (var inner in best.SelectMany(Flatten))
                {
                    yield return inner;
                }

                yield break;
            }
        }

        yield return new SchemaViolation(ToPointer(error), Describe(error)) { Kind = error.Kind.ToString() };
    }

    /// <summary>NJsonSchema paths look like <c>#/a.b[0].c</c>; JSON pointers like <c>/a/b/0/c</c>.</summary>
    public static string ToPointer(ValidationError error)
    {
        var path = error.Path ?? "#";
        if (error.Kind == ValidationErrorKind.PropertyRequired && error.Property is not null
            && path.EndsWith("." + error.Property, StringComparison.Ordinal))
        {
            path = path[..^(error.Property.Length + 1)];
        }
        else if (error.Kind == ValidationErrorKind.PropertyRequired && path == "#/" + error.Property)
        {
            path = "#";
        }

        var sb = new StringBuilder();
        var body = path.StartsWith('#') ? path[1..] : path;
        foreach (var ch in body.TrimStart('/'))
        {
            switch (ch)
            {
                case '.':
                case '[':
                    sb.Append('/');
                    break;
                case ']':
                    break;
                case '~':
                    sb.Append("~0");
                    break;
                case '/':
                    sb.Append("~1");
                    break;
                default:
                    sb.Append(ch);
                    break;
            }
        }

        return sb.Length == 0 ? "" : "/" + sb;
    }

    private static string Describe(ValidationError e)
    {
        var prop = e.Property is null ? "" : $"'{e.Property}'";
        return e.Kind switch
        {
            ValidationErrorKind.PropertyRequired => $"required property {prop} is missing",
            ValidationErrorKind.NoAdditionalPropertiesAllowed => $"property {prop} is not allowed here",
            ValidationErrorKind.NotInEnumeration => $"value is not one of the allowed values{AllowedValues(e)}",
            ValidationErrorKind.StringExpected => "expected a string",
            ValidationErrorKind.IntegerExpected => "expected an integer",
            ValidationErrorKind.NumberExpected => "expected a number",
            ValidationErrorKind.BooleanExpected => "expected a boolean",
            ValidationErrorKind.ObjectExpected => "expected an object",
            ValidationErrorKind.ArrayExpected => "expected an array",
            ValidationErrorKind.NullExpected => "expected null",
            ValidationErrorKind.StringTooShort => "string is too short",
            ValidationErrorKind.StringTooLong => "string is too long",
            ValidationErrorKind.PatternMismatch => $"value does not match the pattern {e.Schema?.Pattern}",
            ValidationErrorKind.TooFewItems => "array has too few items",
            ValidationErrorKind.TooFewProperties => "object has too few properties",
            ValidationErrorKind.NumberTooSmall => "number is too small" + Bound(e.Schema?.Minimum, e.Schema?.IsExclusiveMinimum == true, e.Schema?.ExclusiveMinimum, "at least", "above"),
            ValidationErrorKind.NumberTooBig => "number is too big" + Bound(e.Schema?.Maximum, e.Schema?.IsExclusiveMaximum == true, e.Schema?.ExclusiveMaximum, "at most", "below"),
            ValidationErrorKind.NotOneOf => "matches none (or more than one) of the allowed shapes",
            ValidationErrorKind.NotAnyOf => "matches none of the allowed shapes",
            ValidationErrorKind.DateTimeExpected => "expected an RFC 3339 date-time (T, seconds, and Z or an offset)",
            ValidationErrorKind.UriExpected => "expected an absolute URI (with a scheme)",
            ValidationErrorKind.GuidExpected => "expected a uuid in its canonical form (8-4-4-4-12 hex digits)",
            _ => $"{e.Kind} {prop}".Trim(),
        };
    }

    /// <summary>The bound a number passed, as the schema gives it: <c> (at most 100000)</c>, <c> (above 0)</c>; empty when it gives none.</summary>
    private static string Bound(decimal? bound, bool boundIsExclusive, decimal? exclusive, string inclusiveWord, string exclusiveWord) =>
        bound is { } b ? $" ({(boundIsExclusive ? exclusiveWord : inclusiveWord)} {b.ToString(System.Globalization.CultureInfo.InvariantCulture)})"
        : exclusive is { } x ? $" ({exclusiveWord} {x.ToString(System.Globalization.CultureInfo.InvariantCulture)})"
        : "";

    private static string AllowedValues(ValidationError e) =>
        e.Schema?.Enumeration is { Count: > 0 } values ? $" ({string.Join(", ", values.Select(v => v?.ToString() ?? "null"))})" : "";

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? message[..(cut + 1)] : message;
    }
}
