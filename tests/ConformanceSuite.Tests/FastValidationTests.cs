using System.Text.Json;

namespace ConformanceSuite.Tests;

/// <summary>
/// <see cref="FastValidation"/> may only ever say "valid" where NJsonSchema's pass (<see cref="SchemaValidator.ValidateByLibrary"/>)
/// finds nothing and cuts nothing: else a wrong provider's page would pass unjudged. Held against every body schema and
/// format schema of the repository, on their valid bodies and on thousands of variants of them, each one value changed
/// to a value of another type, shape or form, or one member dropped or added; and on the cases where NJsonSchema reads
/// a value its own way. It must also say "valid" on the valid bodies, or the walk gains nothing from it.
/// </summary>
[TestFixture]
public sealed class FastValidationTests
{
    private static readonly TimeSpan Limit = PatternBound.DefaultLimit;

    /// <summary>
    /// Each schema with the bodies it is checked on: every valid and invalid fixture body of a provider's (which the quick
    /// pass must take when valid), and some contract data files.
    /// </summary>
    private static IEnumerable<TestCaseData> Seeds()
    {
        var root = Harness.Layout.Root;
        foreach (var folder in Directory.GetDirectories(Path.Combine(root, "fixtures"), "*", SearchOption.AllDirectories).Where(d => Path.GetFileName(Path.GetDirectoryName(d)) == "bodies"))
        {
            var api = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(folder)))!;
            var schema = Path.Combine(root, "schemas", api, Path.GetFileName(folder) + ".schema.json");
            yield return new TestCaseData(schema, Directory.GetFiles(folder, "*.json", SearchOption.AllDirectories).Order().ToArray(), true)
                .SetArgDisplayNames($"{api}/{Path.GetFileName(folder)}");
        }

        // Two of the format schemas, with their data files: both use keywords the quick pass judges and some it leaves.
        // (The contract, requirements and csv-spec schemas open with oneOf: the pass leaves every such file to NJsonSchema.)
        string Format(string name) => Path.Combine(root, "schemas", "_format", name);
        var contracts = Directory.GetDirectories(Path.Combine(root, "schemas")).Where(d => !d.EndsWith("_format", StringComparison.Ordinal)).ToArray();
        yield return new TestCaseData(Format("doc-findings.schema.json"), contracts.Select(d => Path.Combine(d, "doc-findings.json")).ToArray(), false).SetArgDisplayNames("doc-findings");
        yield return new TestCaseData(Format("target.schema.json"), Directory.GetFiles(Path.Combine(root, "targets"), "*.json"), false).SetArgDisplayNames("target");
    }

    [TestCaseSource(nameof(Seeds))]
    public void A_body_it_calls_valid_is_one_NJsonSchema_finds_nothing_in(string schemaFile, string[] bodies, bool provider)
    {
        var schema = SchemaValidator.LoadSchema(schemaFile);
        var (checkedCount, fastValid, libraryValid) = (0, 0, 0);
        foreach (var body in bodies)
        {
            var seed = File.ReadAllText(body);
            if (provider && SchemaValidator.ValidateByLibrary(schema, seed, out var seedPart, Limit).Count == 0 && seedPart is null)
            {
                FastValidation.IsCertainlyValid(schema, seed, Limit).Should().BeTrue($"{Path.GetFileName(body)} is valid: the quick pass must take it, or a walk gains nothing");
            }

            foreach (var variant in Variants(seed))
            {
                var library = SchemaValidator.ValidateByLibrary(schema, variant, out var inPart, Limit);
                var fast = FastValidation.IsCertainlyValid(schema, variant, Limit);
                checkedCount++;
                libraryValid += library.Count == 0 && inPart is null ? 1 : 0;
                fastValid += fast ? 1 : 0;
                if (fast)
                {
                    library.Should().BeEmpty($"the quick pass called this variant of {Path.GetFileName(body)} valid:\n{variant}");
                    inPart.Should().BeNull($"the quick pass called this variant of {Path.GetFileName(body)} valid and whole:\n{variant}");
                }
            }
        }

        TestContext.Out.WriteLine($"{checkedCount} variants: {libraryValid} valid for NJsonSchema, {fastValid} called valid by the quick pass");
        if (provider)
        {
            fastValid.Should().Be(libraryValid, "a provider's body schemas use only keywords the quick pass judges");
        }

        (checkedCount - libraryValid).Should().BeGreaterThan(0, "some variants are invalid");
    }

    /// <summary>
    /// Bodies where NJsonSchema reads a value its own way: the quick pass leaves each to it (false), so that the verdict
    /// is NJsonSchema's, whatever it is.
    /// </summary>
    [TestCase("""{"type":"integer"}""", "1.0", TestName = "A number with a point, for an integer")]
    [TestCase("""{"type":"integer"}""", "1e2", TestName = "A number in exponent form")]
    [TestCase("""{"type":"integer"}""", "123456789012345678901", TestName = "An integer past a long")]
    [TestCase("""{"enum":[1,2]}""", "\"1\"", TestName = "A string for an enum of numbers (NJsonSchema compares the texts)")]
    [TestCase("""{"enum":["True"]}""", "true", TestName = "A boolean for an enum of strings")]
    [TestCase("""{"type":"object","properties":{"a":{"type":"string"}}}""", """{"a":"x","a":1}""", TestName = "A member given twice, once wrong")]
    [TestCase("""{"oneOf":[{"type":"string"},{"type":"integer"}]}""", "\"x\"", TestName = "A keyword the quick pass does not judge")]
    [TestCase("""{"type":"object","properties":{"a":{"not":{"type":"string"}}}}""", """{"a":1}""", TestName = "A keyword the quick pass does not judge, in a member")]
    [TestCase("""{"type":"array","uniqueItems":true}""", "[1,1]", TestName = "uniqueItems")]
    [TestCase("""{"type":"object","x-nullable":true}""", "null", TestName = "A null allowed by an extension only")]
    [TestCase("""{"type":"string","pattern":"^(a+)+$"}""", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\"", TestName = "A pattern past its bound")]
    public void A_value_NJsonSchema_reads_its_own_way_is_left_to_it(string schemaText, string body)
    {
        var schema = NJsonSchema.JsonSchema.FromJsonAsync(schemaText).GetAwaiter().GetResult();
        var limit = TimeSpan.FromMilliseconds(50);

        FastValidation.IsCertainlyValid(schema, body, limit).Should().BeFalse();
    }

    [TestCase("""{"type":"string"}""", true)]
    [TestCase("""{"type":"string","minLength":1}""", false)]
    [TestCase("""{"type":"string","pattern":"^.$"}""", false)]
    public void A_lone_surrogate_is_valid_unread_and_left_to_NJsonSchema_when_its_text_is_judged(string schemaText, bool quick)
    {
        // NJsonSchema takes "\ud800" as a string of one character; System.Text.Json will not decode it.
        var schema = NJsonSchema.JsonSchema.FromJsonAsync(schemaText).GetAwaiter().GetResult();
        const string Body = "\"\\ud800\"";

        SchemaValidator.ValidateByLibrary(schema, Body, out _, Limit).Should().BeEmpty();
        FastValidation.IsCertainlyValid(schema, Body, Limit).Should().Be(quick);
    }

    /// <summary>
    /// Member names are looked up as they lie in the body when they are written plainly, and unescaped first when not;
    /// enum members are compared with the value where it lies. Each way must find what NJsonSchema finds: the named
    /// member's schema (not the one for other members), and an escaped enum value equal to its member.
    /// </summary>
    [TestCase("""{"a":"x"}""", true)]
    [TestCase("""{"\u0061":"x"}""", true, TestName = "A name escaped, its value right")]
    [TestCase("""{"\u0061":1}""", false, TestName = "A name escaped, its value of the wrong type")]
    [TestCase("""{"a":1}""", false)]
    [TestCase("""{"é":"x"}""", true, TestName = "A name past ASCII")]
    [TestCase("""{"\u00e9":2}""", false, TestName = "A name past ASCII, escaped, its value of the wrong type")]
    [TestCase("""{"b":"x"}""", false, TestName = "A name the schema does not have")]
    [TestCase("""{"a":"x","kind":"on"}""", true)]
    [TestCase("""{"a":"x","kind":"\u006fn"}""", true, TestName = "An enum value escaped")]
    [TestCase("""{"a":"x","kind":"On"}""", false, TestName = "An enum value in another case")]
    [TestCase("""{"a":"x","kind":"on "}""", false, TestName = "An enum value with a space after it")]
    public void Member_names_and_enum_values_are_read_as_NJsonSchema_reads_them_written_plainly_or_escaped(string body, bool valid)
    {
        var schema = NJsonSchema.JsonSchema.FromJsonAsync("""
            {
              "type": "object",
              "additionalProperties": false,
              "properties": { "a": { "type": "string" }, "é": { "type": "string" }, "kind": { "enum": ["on", "off"] } }
            }
            """).GetAwaiter().GetResult();

        (SchemaValidator.ValidateByLibrary(schema, body, out var inPart, Limit).Count == 0 && inPart is null).Should().Be(valid);
        FastValidation.IsCertainlyValid(schema, body, Limit).Should().Be(valid);
    }

    /// <summary>
    /// Members in the schema's order, in another, one name the start of the next, one property skipped or given twice: each
    /// member gets its own property's schema (the values fit only their own), as NJsonSchema gives it. A member written
    /// <c>"a\b"</c> is named a, backspace (an escape), not the property a, backslash, b.
    /// </summary>
    [TestCase("""{"a":"x","ab":1,"b":true}""", true, TestName = "Members in the schema's order")]
    [TestCase("""{"b":true,"ab":1,"a":"x"}""", true, TestName = "Members in the reverse order")]
    [TestCase("""{"ab":1,"b":true,"a":"x","a\\b":2}""", true, TestName = "Members in another order, with the name that has a backslash")]
    [TestCase("""{"a":"x","b":true}""", true, TestName = "A property skipped")]
    [TestCase("""{"a":1,"ab":1}""", false, TestName = "The first member's value of the next property's type")]
    [TestCase("""{"a":"x","ab":"y"}""", false, TestName = "The second member's value of the first property's type")]
    [TestCase("""{"a":"x","ab":1,"ab":"y"}""", false, TestName = "The second member given twice, once wrong")]
    [TestCase("""{"a":"x","ab":1,"b":true,"a":2}""", false, TestName = "The first member given again at the end, wrong")]
    [TestCase("""{"a":"x","ab":1,"b":true,"a\b":2}""", false, TestName = "A member named a, backspace, b")]
    [TestCase("""{"a":"x","ab":1,"b":true,"a\\b":"2"}""", false, TestName = "The name with a backslash, its value of the wrong type")]
    public void Each_member_is_judged_by_its_own_property_whatever_the_order_of_the_members(string body, bool valid)
    {
        var schema = NJsonSchema.JsonSchema.FromJsonAsync("""
            {
              "type": "object",
              "additionalProperties": false,
              "properties": { "a": { "type": "string" }, "ab": { "type": "integer" }, "b": { "type": "boolean" }, "a\\b": { "type": "integer" } }
            }
            """).GetAwaiter().GetResult();

        (SchemaValidator.ValidateByLibrary(schema, body, out var inPart, Limit).Count == 0 && inPart is null).Should().Be(valid);
        FastValidation.IsCertainlyValid(schema, body, Limit).Should().Be(valid);
    }

    [Test]
    public void A_member_named_U_FFFD_is_not_the_property_named_by_a_lone_surrogate()
    {
        // Not from a file (the reader of a schema file makes the half into U+FFFD itself): a schema made in code. UTF-8 would
        // write the half as U+FFFD, so a lookup by a name's bytes would take one for the other; NJsonSchema tells them apart.
        var schema = new NJsonSchema.JsonSchema { Type = NJsonSchema.JsonObjectType.Object, AllowAdditionalProperties = false };
        schema.Properties["\uD800"] = new NJsonSchema.JsonSchemaProperty { Type = NJsonSchema.JsonObjectType.Integer };
        const string Body = "{\"\uFFFD\":1}";

        SchemaValidator.ValidateByLibrary(schema, Body, out _, Limit).Should().NotBeEmpty();
        FastValidation.IsCertainlyValid(schema, Body, Limit).Should().BeFalse();
    }

    [Test]
    public void Nesting_or_a_container_past_the_bounds_is_left_to_NJsonSchema_even_where_no_schema_judges_it()
    {
        var open = NJsonSchema.JsonSchema.FromJsonAsync("""{"type":"object"}""").GetAwaiter().GetResult();
        string Nested(int depth) => """{"a":""" + string.Concat(Enumerable.Repeat("[", depth)) + string.Concat(Enumerable.Repeat("]", depth)) + "}";
        var numbers = "[" + string.Join(",", Enumerable.Range(0, SchemaValidator.MaxValidatedElements + 1)) + "]";

        FastValidation.IsCertainlyValid(open, Nested(40), Limit).Should().BeTrue();
        FastValidation.IsCertainlyValid(open, Nested(63), Limit).Should().BeFalse("Newtonsoft's reader refuses 64 levels");
        FastValidation.IsCertainlyValid(open, $$"""{"a":{{numbers}}}""", Limit).Should().BeFalse("the library's pass says the array was cut");
        FastValidation.IsCertainlyValid(open, "{\"a\":{\"b\":" + numbers + "}}", Limit).Should().BeFalse();
        SchemaValidator.Validate(open, $$"""{"a":{{numbers}}}""", out var part).Should().BeEmpty();
        part.Should().StartWith("only the first 1,000 elements of /a");
    }

    [Test]
    public void Each_keyword_it_judges_can_make_it_say_not_known()
    {
        var schema = NJsonSchema.JsonSchema.FromJsonAsync("""
            {
              "type": "object",
              "required": ["id"],
              "additionalProperties": false,
              "definitions": { "when": { "type": "string", "format": "date-time" } },
              "properties": {
                "id": { "type": "string", "pattern": "^s-[0-9]+$", "minLength": 3, "maxLength": 6 },
                "kind": { "enum": ["a", "b", null] },
                "n": { "type": "integer", "minimum": 1, "maximum": 9 },
                "x": { "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1 },
                "flag": { "type": ["boolean", "null"] },
                "at": { "$ref": "#/definitions/when" },
                "tags": { "type": "array", "minItems": 1, "maxItems": 2, "items": { "type": "string" } },
                "meta": { "type": "object", "additionalProperties": { "type": "integer" } }
              }
            }
            """).GetAwaiter().GetResult();
        const string Valid = """{"id":"s-12","kind":null,"n":3,"x":0.5,"flag":true,"at":"2024-01-02T03:04:05Z","tags":["t"],"meta":{"m":1}}""";
        FastValidation.IsCertainlyValid(schema, Valid, Limit).Should().BeTrue();
        SchemaValidator.ValidateByLibrary(schema, Valid, out _, Limit).Should().BeEmpty();

        string[] wrong =
        [
            """{"kind":"a"}""", """{"id":"x-12"}""", """{"id":"s-"}""", """{"id":"s-12345"}""", """{"id":"s-1","kind":"c"}""",
            """{"id":"s-1","n":0}""", """{"id":"s-1","n":10}""", """{"id":"s-1","n":2.5}""", """{"id":"s-1","x":0}""", """{"id":"s-1","x":1}""",
            """{"id":"s-1","flag":"yes"}""", """{"id":"s-1","at":"2024-01-02 03:04:05"}""", """{"id":"s-1","tags":[]}""",
            """{"id":"s-1","tags":["a","b","c"]}""", """{"id":"s-1","tags":[1]}""", """{"id":"s-1","meta":{"m":"1"}}""", """{"id":"s-1","other":1}""",
            """{"id":12}""", "[]", "null",
        ];
        foreach (var body in wrong)
        {
            FastValidation.IsCertainlyValid(schema, body, Limit).Should().BeFalse(body);
            SchemaValidator.ValidateByLibrary(schema, body, out _, Limit).Should().NotBeEmpty(body);
        }
    }

    /// <summary>
    /// Variants of a body, each one change from it: every value (up to 40 of them, spread over the body) replaced by
    /// values of every kind and some wrong forms, every member dropped, and a member added to every object.
    /// </summary>
    private const int MaxPlaces = 40;

    private static IEnumerable<string> Variants(string seed)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(seed)!;
        var places = new List<System.Text.Json.Nodes.JsonNode>();
        Collect(node, places);
        var step = Math.Max(1, places.Count / MaxPlaces);
        string[] replacements =
        [
            "null", "true", "0", "-1", "1.5", "1e3", "\"\"", "\"x\"", "\"1\"", "[]", "[1]", "{}", "\"2024-01-02 03:04:05\"",
            "\"2024-01-02T03:04:05Z\"", "\"3c90c3cc0d444b5088888dd25736052a\"", "\"3c90c3cc-0d44-4b50-8888-8dd25736052a\"", "\"http://a b\"",
            "\"open\"", "\"web\"", "\"CSV\"", "\"GET\"",
        ];
        for (var i = 0; i < places.Count; i += step)
        {
            var place = places[i];
            foreach (var replacement in replacements)
            {
                yield return Replaced(node, place, System.Text.Json.Nodes.JsonNode.Parse(replacement));
            }

            if (place.Parent is System.Text.Json.Nodes.JsonObject)
            {
                yield return Replaced(node, place, null, drop: true);
            }

            if (place is System.Text.Json.Nodes.JsonObject)
            {
                var added = place.DeepClone().AsObject();
                added["conformance-extra"] = 1;
                yield return Replaced(node, place, added);
            }
        }
    }

    private static void Collect(System.Text.Json.Nodes.JsonNode? node, List<System.Text.Json.Nodes.JsonNode> places)
    {
        if (node is null)
        {
            return;
        }

        places.Add(node);
        switch (node)
        {
            case System.Text.Json.Nodes.JsonObject o:
                foreach (var (_, value) in o)
                {
                    Collect(value, places);
                }

                break;
            case System.Text.Json.Nodes.JsonArray a:
                foreach (var value in a)
                {
                    Collect(value, places);
                }

                break;
        }
    }

    /// <summary>The body with <paramref name="place"/> replaced (or dropped), as text; the body itself is left as it was.</summary>
    private static string Replaced(System.Text.Json.Nodes.JsonNode root, System.Text.Json.Nodes.JsonNode place, System.Text.Json.Nodes.JsonNode? with, bool drop = false)
    {
        if (place == root)
        {
            return with?.ToJsonString() ?? "null";
        }

        var path = place.GetPath();
        var copy = root.DeepClone();
        var target = Find(copy, path);
        switch (target.Parent)
        {
            case System.Text.Json.Nodes.JsonObject parent:
                var name = parent.First(p => ReferenceEquals(p.Value, target)).Key;
                if (drop)
                {
                    parent.Remove(name);
                }
                else
                {
                    parent[name] = with;
                }

                break;
            case System.Text.Json.Nodes.JsonArray array:
                array[array.IndexOf(target)] = with;
                break;
        }

        return copy.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static System.Text.Json.Nodes.JsonNode Find(System.Text.Json.Nodes.JsonNode root, string path)
    {
        var found = new List<System.Text.Json.Nodes.JsonNode>();
        Collect(root, found);
        return found.First(n => n.GetPath() == path);
    }
}
