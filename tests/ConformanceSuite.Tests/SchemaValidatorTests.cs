namespace ConformanceSuite.Tests;

/// <summary>
/// A body is validated whole, but for arrays past the suite's bound: a few megabytes of <c>{}</c> would make the
/// validator build millions of violations. What was not validated is said, never failed.
/// </summary>
[TestFixture]
public sealed class SchemaValidatorTests
{
    private static readonly NJsonSchema.JsonSchema ListBody =
        SchemaValidator.LoadSchema(Path.Combine(Harness.Layout.Root, "schemas", "opencx-chat-sessions", "list-body.schema.json"));

    private static string Items(int count) => "[" + string.Join(",", Enumerable.Repeat("{}", count)) + "]";

    [TestCase("3c90c3cc-0d44-4b50-8888-8dd25736052a\\n", "2024-01-02T03:04:05Z", "GuidExpected")]
    [TestCase("3c90c3cc-0d44-4b50-8888-8dd25736052a", "2024-01-02T03:04:05Z\\n", "DateTimeExpected")]
    public void A_uuid_or_a_date_time_that_ends_in_a_newline_is_not_one(string id, string created, string kind)
    {
        // A .NET '$' matches before a final newline too: before, both passed the strict formats.
        var item = $$"""{"id":"{{id}}","status":"open","channel":{"type":"web"},"created_at":"{{created}}","updated_at":"2024-01-02T03:04:05Z"}""";

        SchemaValidator.Validate(ListBody, $$"""{"items":[{{item}}],"next":null}""", out _).Should().ContainSingle().Which.Kind.Should().Be(kind);
        Formats.IsUuid("3c90c3cc-0d44-4b50-8888-8dd25736052a\n").Should().BeFalse();
        IsoDates.IsStrict("2024-01-02T03:04:05Z\n").Should().BeFalse();
        IsoDates.IsStrict("2024-01-02T03:04:05Z").Should().BeTrue();
    }

    [Test]
    public void An_array_up_to_the_bound_is_validated_whole_and_one_past_it_up_to_the_bound()
    {
        const int Bound = SchemaValidator.MaxValidatedElements;

        var whole = SchemaValidator.Validate(ListBody, $$"""{"items":{{Items(Bound)}},"next":null}""", out var none);
        var cut = SchemaValidator.Validate(ListBody, $$"""{"items":{{Items(Bound + 1)}},"next":null}""", out var part);

        none.Should().BeNull();
        whole.Should().HaveCount(5 * Bound, "each empty session misses its five required members");
        whole.Should().Contain(v => v.Pointer == $"/items/{Bound - 1}" && v.Kind == "PropertyRequired");
        part.Should().Be($"only the first {Bound:N0} elements of /items ({Bound + 1:N0}) were validated (the suite's bound)");
        cut.Should().Equal(whole, "the element past the bound is not validated");
    }

    [Test]
    public void Every_long_array_is_named_by_its_pointer_and_a_body_without_one_is_validated_as_it_is()
    {
        // Four long arrays, nested and under names that need escaping, and one of exactly the bound (not cut); the body
        // is otherwise valid. Then three long arrays, and a long array at the root.
        var numbers = "[" + string.Join(",", Enumerable.Range(0, 1500)) + "]";
        var bound = "[" + string.Join(",", Enumerable.Range(0, SchemaValidator.MaxValidatedElements)) + "]";
        var body = $$"""{"items":[],"next":null,"a/b":{{numbers}},"c~d":{"e":[1,{{numbers}}]},"h":{{bound}},"f":{{numbers}},"g":{{numbers}}}""";

        SchemaValidator.Validate(ListBody, body, out var part).Should().BeEmpty();

        part.Should().Be("only the first 1,000 elements of /a~1b (1,500), /c~0d/e/1 (1,500), /f (1,500) and 1 more were validated (the suite's bound)");
        SchemaValidator.Validate(ListBody, $$"""{"items":[],"next":null,"a":{{numbers}},"b":{{numbers}},"c":{{numbers}}}""", out var three);
        three.Should().Be("only the first 1,000 elements of /a (1,500), /b (1,500), /c (1,500) were validated (the suite's bound)");
        SchemaValidator.Validate(ListBody, numbers, out var root).Should().NotBeEmpty("a list body is an object");
        root.Should().Be("only the first 1,000 elements of / (1,500) were validated (the suite's bound)");
        SchemaValidator.Validate(ListBody, """{"items":[{}],"next":7}""", out var whole).Select(v => v.Pointer).Should().Contain(["/items/0", "/next"]);
        whole.Should().BeNull();
        SchemaValidator.Validate(ListBody, """{"items":[1,}""", out var broken).Should().ContainSingle().Which.Reason.Should().StartWith("not valid JSON");
        broken.Should().BeNull();
    }

    /// <summary>The pattern bound these tests set (the run's is <c>timeouts.patternSeconds</c>, 1 s unless set).</summary>
    private static readonly TimeSpan PatternLimit = TimeSpan.FromSeconds(0.25);

    private static NJsonSchema.JsonSchema PatternSchema(string pattern) =>
        NJsonSchema.JsonSchema.FromJsonAsync(new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "object",
            ["properties"] = new System.Text.Json.Nodes.JsonObject { ["v"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "string", ["pattern"] = pattern } },
        }.ToJsonString()).GetAwaiter().GetResult();

    // Each value satisfies the pattern as .NET reads it, and not as JSON Schema (ECMA-262) means it: a provider
    // sending it passed a user's contract before.
    [TestCase("^[0-9]{3}$", "123\n")]
    [TestCase(@"^\d{3}$", "\u0661\u0662\u0663")]
    [TestCase(@"^[\d]{3}$", "\u0661\u0662\u0663")]
    [TestCase(@"^\w+$", "caf\u00e9")]
    [TestCase(@"^[\w]+$", "caf\u00e9")]
    [TestCase("^a.b$", "a\rb")]
    [TestCase(@"^\S+$", "a\ufeffb")]
    [TestCase(@"^x\s$", "x\u0085")]
    public void A_value_matching_the_pattern_only_as_dotnet_reads_it_is_a_pattern_mismatch(string pattern, string value)
    {
        var schema = PatternSchema(pattern);
        System.Text.RegularExpressions.Regex.IsMatch(value, pattern).Should().BeTrue("the value passes .NET's reading");

        SchemaValidator.Validate(schema, $$"""{"v":{{System.Text.Json.JsonSerializer.Serialize(value)}}}""").Should().ContainSingle().Which.Should().Be(new SchemaViolation("/v", $"value does not match the pattern {pattern}") { Kind = "PatternMismatch" });
    }

    // Each value satisfies the pattern as JSON Schema means it, and not as .NET reads it: a right provider failed before.
    [TestCase(@"^\s$", "\ufeff")]
    [TestCase(@"^x\W$", "x\u00e9")]
    [TestCase(@"^\D$", "\u0661")]
    public void A_value_matching_the_pattern_as_json_schema_means_it_passes(string pattern, string value)
    {
        var schema = PatternSchema(pattern);
        System.Text.RegularExpressions.Regex.IsMatch(value, pattern).Should().BeFalse("the value fails .NET's reading");

        SchemaValidator.Validate(schema, $$"""{"v":{{System.Text.Json.JsonSerializer.Serialize(value)}},"w":1}""").Should().BeEmpty();
        SchemaValidator.Validate(schema, """{"v":"not it"}""").Should().ContainSingle("a value neither reading takes is still a mismatch");
    }

    [TestCase(@"^\d+$", @"^[0-9]+\z")]
    [TestCase(@"^[\d\w-]$", @"^[0-9a-zA-Z0-9_-]\z")]
    [TestCase(@"^a\.b\$c\\d$", @"^a\.b\$c\\d\z")]
    [TestCase("^[.$]$", @"^[.$]\z")]
    [TestCase("^.$", @"^[^\n\r\u2028\u2029]\z")]
    [TestCase(@"^\W\D$", @"^[^a-zA-Z0-9_][^0-9]\z")]
    [TestCase(@"^[]\d]$", @"^[]0-9]\z")]
    [TestCase(@"^[^\s]$", @"^[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]\z")]
    [TestCase(@"^[a-z-[\d]]\S$", @"^[a-z-[0-9]][^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]\z")]
    public void A_pattern_is_read_as_ecma_262_means_it(string pattern, string read) => EcmaPattern.Translate(pattern).Should().Be(read);

    [Test]
    public void A_pattern_that_backtracks_on_a_value_is_cut_off_at_the_bound_and_the_body_is_said_not_validated()
    {
        // A contract of the user's own may carry such a pattern; the provider chooses the value. Without the bound,
        // 34 characters take about half an hour (measured: 26 take 3.9 s, 28 take 15 s, each two more four times as long).
        var schema = NJsonSchema.JsonSchema.FromJsonAsync("""{"type":"object","properties":{"name":{"type":"string","pattern":"^(a+)+$"}}}""").GetAwaiter().GetResult();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var violations = SchemaValidator.Validate(schema, $$"""{"name":"{{new string('a', 34)}}!"}""", out var inPart, PatternLimit);

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
        violations.Should().BeEmpty();
        inPart.Should().Be("not validated: the schema's pattern '^(a+)+$' took longer than 0.25 s on a value of 35 characters (a pattern that backtracks; the suite's bound, timeouts.patternSeconds)");
        clock.Restart();
        SchemaValidator.Validate(schema, $$"""{"other":1,"name":"{{new string('a', 34)}}!"}""", out var again, PatternLimit).Should().BeEmpty();
        again.Should().Be(inPart);
        clock.Elapsed.Should().BeLessThan(PatternLimit, "a value already past the bound is not matched again (a provider may repeat it in every page)");
        SchemaValidator.Validate(schema, """{"name":"aab"}""", out var judged).Should().ContainSingle().Which.Kind.Should().Be("PatternMismatch", "a value the pattern answers quickly is judged");
        judged.Should().BeNull();
    }

    [Test]
    public void A_member_name_that_makes_a_pattern_property_backtrack_is_cut_off_at_the_bound_too()
    {
        var schema = NJsonSchema.JsonSchema.FromJsonAsync("""{"type":"object","patternProperties":{"^(b+)+$":{"type":"string"}}}""").GetAwaiter().GetResult();

        SchemaValidator.Validate(schema, $$"""{"{{new string('b', 34)}}!":1}""", out var inPart, PatternLimit).Should().BeEmpty();

        inPart.Should().Be("not validated: the schema's pattern '^(b+)+$' took longer than 0.25 s on a value of 35 characters (a pattern that backtracks; the suite's bound, timeouts.patternSeconds)");
        SchemaValidator.Validate(schema, """{"bb":1}""", out var judged).Should().ContainSingle("a name the pattern answers quickly is judged");
        judged.Should().BeNull();
    }

    [Test]
    public void An_object_of_more_members_than_the_bound_is_validated_up_to_it_and_every_member_the_schema_names()
    {
        // A strict schema (a user's contract) and an object of 5,000 members it does not allow, its required id last.
        // Before, each member was a violation (400,000 members: 3.7 s, 419 MiB and as many violations).
        var schema = NJsonSchema.JsonSchema.FromJsonAsync("""{"type":"object","additionalProperties":false,"required":["id"],"properties":{"id":{"type":"string"},"n":{"type":"integer"}}}""").GetAwaiter().GetResult();
        var members = string.Concat(Enumerable.Range(0, 5000).Select(i => $"\"a{i}\":0,"));

        var violations = SchemaValidator.Validate(schema, $$"""{{{members}}"n":"x","id":"s"}""", out var inPart);

        inPart.Should().Be($"only the first {SchemaValidator.MaxValidatedElements:N0} elements of / (5,002 members; those the schema names are all validated) were validated (the suite's bound)");
        violations.Where(v => v.Kind == "NoAdditionalPropertiesAllowed").Should().HaveCount(SchemaValidator.MaxValidatedElements);
        violations.Should().Contain(v => v.Pointer == "/n", "a member the schema names is validated wherever it is").And.NotContain(v => v.Kind == "PropertyRequired");
        SchemaValidator.Validate(schema, $$"""{{{string.Concat(Enumerable.Range(0, 999).Select(i => $"\"a{i}\":0,"))}}"id":"s"}""", out var whole).Should().HaveCount(999);
        whole.Should().BeNull("an object of the bound's size is validated whole");
    }
}
