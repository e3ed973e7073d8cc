namespace ConformanceSuite.Tests;

/// <summary>A malformed contract fails with file, JSON pointer and reason; overlays apply.</summary>
[TestFixture]
public sealed class ContractLoaderTests
{
    private string root = "";

    [SetUp]
    public void CopyRepositoryData()
    {
        root = Path.Combine(Path.GetTempPath(), "cs-loader-" + Guid.NewGuid().ToString("N"));
        Copy(Harness.Layout.Schemas, Path.Combine(root, "schemas"));
    }

    [TearDown]
    public void Clean() => Directory.Delete(root, recursive: true);

    private string ContractFile => Path.Combine(root, "schemas", "wavy-open-sessions", "contract.json");

    [Test]
    public void A_filter_combination_that_pairs_a_filter_with_itself_or_gives_a_pair_twice_is_a_clear_error()
    {
        var contract = new ContractLoader(Harness.Layout).Load("opencx-chat-sessions");
        var requirement = contract.Requirements.Single(r => r.Id == "OPENCX-017");
        var check = CheckRegistry.Default.Get(FilterCombinationCheck.KindName);

        check.Expand(contract, requirement).Select(e => e.Key).Should().HaveCount(8).And.OnlyHaveUniqueItems();
        foreach (var (names, says) in new[] { (new[] { "status", "status" }, "is a filter with itself"), (["status", "channel_type", "status"], "comes twice") })
        {
            var bad = requirement with { Check = requirement.Check! with { Parameters = names } };
            FluentActions.Invoking(() => check.Expand(contract, bad).ToList())
                .Should().Throw<ConfigurationException>().Which.Message.Should().Contain("OPENCX-017").And.Contain(says);
        }
    }

    private string RequirementsFile => Path.Combine(root, "schemas", "wavy-open-sessions", "requirements.json");

    private ApiContract Load(JsonNode? overlay = null) =>
        new ContractLoader(new RepositoryLayout(root), CheckRegistry.Default.Kinds).Load("wavy-open-sessions", overlay);

    private static void Edit(string file, Action<JsonObject> change)
    {
        var json = (JsonObject)JsonNode.Parse(File.ReadAllText(file))!;
        change(json);
        File.WriteAllText(file, json.ToJsonString());
    }

    public static IEnumerable<TestCaseData> Malformed()
    {
        yield return Case("missing required property", c => c.Remove("auth"), "contract.json", "", "required property 'auth' is missing");
        yield return Case("wrong type", c => c["endpoints"]![0]!["parameters"]![0]!["required"] = "yes", "contract.json", "/endpoints/0/parameters/0/required", "expected a boolean");
        yield return Case("unknown enum value", c => c["endpoints"]![0]!["parameters"]![0]!["type"] = "int", "contract.json", "/endpoints/0/parameters/0/type", "not one of the allowed values");
        yield return Case("unexpected property", c => c["auth"]!["schema"] = "headers", "contract.json", "/auth/schema", "property 'schema' is not allowed");
        yield return Case("bad status", c => c["auth"]!["rejection"]!["status"] = 4010, "contract.json", "/auth/rejection/status", "number is too big");
        yield return Case("unknown doc source", c => c["endpoints"]![0]!["basis"]!["doc"] = "wavy-fr", "contract.json", "/endpoints/0/basis/doc", "unknown doc source 'wavy-fr'");
        yield return Case("scenario on unknown parameter", c => c["scenarios"]!["with-sessions"]!["query"]!["customer"] = "1", "contract.json", "/scenarios/with-sessions/query/customer", "has no parameter 'customer'");
        yield return Case("scenario on unknown slot", c => c["scenarios"]!["with-sessions"]!["query"]!["customerId"] = "{nobody}", "contract.json", "/scenarios/with-sessions", "test-data slot 'nobody'");
        yield return Case("missing body schema file", c => c["endpoints"]![0]!["success"]!["bodySchema"] = "nope.schema.json", "contract.json", "/endpoints/0/success/bodySchema", "does not exist");
        yield return Case("unknown check kind", r => r["requirements"]![0]!["check"]!["kind"] = "required-parmeter", "requirements.json", "/requirements/0/check/kind", "unknown check kind 'required-parmeter'");
        yield return Case("duplicate requirement id", r => r["requirements"]![1]!["id"] = "WAVY-001", "requirements.json", "/requirements/1/id", "duplicate requirement id 'WAVY-001'");
        yield return Case("bad requirement id", r => r["requirements"]![0]!["id"] = "wavy-1", "requirements.json", "/requirements/0/id", "does not match the pattern");
        yield return Case("neither checked nor waived", r => r["requirements"]![0]!.AsObject().Remove("check"), "requirements.json", "/requirements/0", "required property 'check' is missing");
        yield return Case("unknown assumption", r => r["requirements"]![0]!["assumptions"] = new JsonArray("A-WAVY-99"), "requirements.json", "/requirements/0/assumptions", "unknown assumption 'A-WAVY-99'");
        yield return Case("unknown scenario", r => r["requirements"]![0]!["check"]!["scenarios"] = new JsonArray("nowhere"), "requirements.json", "/requirements/0/check", "unknown scenario 'nowhere'");
        yield return Case("doc finding on a nonexistent requirement", f => f["findings"]![1]!["affects"] = new JsonArray("WAVY-006", "WAVY-099"), "doc-findings.json", "/findings/1/affects/1", "names requirement 'WAVY-099', which wavy-open-sessions does not have");
        yield return Case("doc finding on an unknown source", f => f["findings"]![0]!["sources"] = new JsonArray("wavy-es", "wavy-fr"), "doc-findings.json", "/findings/0/sources/1", "names doc source 'wavy-fr'");
    }

    private static TestCaseData Case(string name, Action<JsonObject> change, string file, string pointer, string reason) =>
        new TestCaseData(change, file, pointer, reason).SetName($"malformed {file}: {name}");

    [TestCaseSource(nameof(Malformed))]
    public void A_malformed_file_fails_with_file_pointer_and_reason(Action<JsonObject> change, string file, string pointer, string reason)
    {
        Edit(Path.Combine(root, "schemas", "wavy-open-sessions", file), change);

        var error = FluentActions.Invoking(() => Load()).Should().Throw<ConfigurationException>().Which;

        error.File.Should().EndWith(file);
        error.Pointer.Should().Be(pointer);
        error.Reason.Should().Contain(reason);
        error.Message.Should().NotContain("   at ", "no stack trace in the message");
    }

    public static IEnumerable<TestCaseData> MalformedLists()
    {
        yield return ListCase("unknown cursor parameter", c => c["endpoints"]![0]!["pagination"]!["cursorParameter"] = "page_token", "/endpoints/0/pagination/cursorParameter", "has no parameter 'page_token'");
        yield return ListCase("equals filter without a field", c => c["endpoints"]![0]!["parameters"]![2]!["filter"]!.AsObject().Remove("field"), "/endpoints/0/parameters/2/filter", "missing required properties including: 'field'");
        yield return ListCase("cursor pagination without its next pointer", c => c["endpoints"]![0]!["pagination"]!.AsObject().Remove("nextPointer"), "/endpoints/0/pagination", "missing required properties including: 'nextPointer'");
        yield return ListCase("equals filter with a member of the contains kind", c => c["endpoints"]![0]!["parameters"]![2]!["filter"]!["fields"] = new JsonArray("/a"), "/endpoints/0/parameters/2/filter/fields", "could not be mapped");
        yield return ListCase("cursor pagination with a member of the offset style", c => c["endpoints"]![0]!["pagination"]!["offsetParameter"] = "offset", "/endpoints/0/pagination/offsetParameter", "could not be mapped");
        yield return ListCase("unknown filter kind", c => c["endpoints"]![0]!["parameters"]![2]!["filter"]!["kind"] = "regex", "/endpoints/0/parameters/2/filter/kind", "not one of the allowed values");
        yield return ListCase("path parameter not in the path", c => c["endpoints"]![1]!["path"] = "/chat/sessions/{id}", "/endpoints/1/parameters/0/in", "does not appear in the path");
        yield return ListCase("scenario without a path value", c => c["scenarios"]!["unknown-session"]!.AsObject().Remove("path"), "/scenarios/unknown-session", "needs a value for its path parameter 'session_id'");
        yield return ListCase("bad credential scheme", c => c["auth"]!["credentials"]![0]!["scheme"] = "Bearer token", "/auth/credentials/0/scheme", "does not match the pattern");
    }

    private static TestCaseData ListCase(string name, Action<JsonObject> change, string pointer, string reason) =>
        new TestCaseData(change, pointer, reason).SetName($"malformed list contract: {name}");

    [TestCaseSource(nameof(MalformedLists))]
    public void A_malformed_list_contract_fails_with_file_pointer_and_reason(Action<JsonObject> change, string pointer, string reason)
    {
        Edit(Path.Combine(root, "schemas", "opencx-chat-sessions", "contract.json"), change);

        var error = FluentActions.Invoking(() => new ContractLoader(new RepositoryLayout(root), CheckRegistry.Default.Kinds).Load("opencx-chat-sessions"))
            .Should().Throw<ConfigurationException>().Which;

        error.File.Should().EndWith("contract.json");
        error.Pointer.Should().Be(pointer);
        error.Reason.Should().Contain(reason);
    }

    [Test]
    public void Invalid_json_reports_line_and_byte()
    {
        File.WriteAllText(ContractFile, "{\n  \"id\": \"wavy-open-sessions\",\n  \"title\": oops\n}");

        var error = FluentActions.Invoking(() => Load()).Should().Throw<ConfigurationException>().Which;

        error.File.Should().EndWith("contract.json");
        error.Reason.Should().Contain("not valid JSON (line 3");
    }

    [Test]
    public void An_unknown_api_lists_the_known_ones()
    {
        FluentActions.Invoking(() => new ContractLoader(new RepositoryLayout(root)).Load("wavy"))
            .Should().Throw<ConfigurationException>().WithMessage("*Unknown API 'wavy'*Known APIs: chat-session-list, opencx-chat-sessions, wavy-open-sessions*");
    }

    [Test]
    public void An_overlay_changes_the_contract_without_code()
    {
        var overlay = JsonNode.Parse("""{"contract":{"auth":{"rejection":{"status":403,"tolerated":[],"basis":{"assumption":"A-WAVY-02"}}}}}""");

        var contract = Load(overlay);

        contract.Auth.Rejection.Status.Should().Be(403);
        contract.Overridden.Should().BeTrue();
    }

    [Test]
    public void A_malformed_overlay_is_reported_against_the_overridden_contract()
    {
        var overlay = JsonNode.Parse("""{"contract":{"auth":{"rejection":{"status":"four-oh-one"}}}}""");

        FluentActions.Invoking(() => Load(overlay)).Should().Throw<ConfigurationException>()
            .Which.Message.Should().Contain("with the target's overrides").And.Contain("/auth/rejection/status");
    }

    [Test]
    public void Merge_patch_follows_rfc_7396()
    {
        var target = JsonNode.Parse("""{"a":"b","c":{"d":"e","f":"g"}}""");
        var patch = JsonNode.Parse("""{"a":"z","c":{"f":null}}""");

        JsonMergePatch.Apply(target, patch)!.ToJsonString().Should().Be("""{"a":"z","c":{"d":"e"}}""");
    }

    /// <summary>
    /// The closed sets of the contract format are the derived types of the polymorphic records; the format schema
    /// names the same discriminators, no more and no fewer, so a new filter kind or pagination style cannot be
    /// accepted by one and refused by the other.
    /// </summary>
    [TestCase(typeof(FilterSpec), "/definitions/parameter/properties/filter/properties/kind/enum")]
    [TestCase(typeof(PaginationSpec), "/definitions/endpoint/properties/pagination/properties/style/enum")]
    public void The_format_schema_lists_exactly_the_typed_variants(Type baseType, string pointer)
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(Harness.Layout.Schemas, "_format", "contract.schema.json")))!;
        var node = pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Aggregate(schema, (n, part) => n[part]!);
        var listed = node.AsArray().Select(v => v!.GetValue<string>());
        var typed = baseType.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonDerivedTypeAttribute), false)
            .Cast<System.Text.Json.Serialization.JsonDerivedTypeAttribute>().Select(a => (string)a.TypeDiscriminator!);

        typed.Should().NotBeEmpty();
        listed.Should().BeEquivalentTo(typed);
    }

    [Test]
    public void A_contract_loaded_again_is_the_same_one_until_a_byte_of_its_data_changes_and_a_failed_load_is_not_kept()
    {
        var first = Load();
        Load().Should().BeSameAs(first, "nothing changed: the loaded contract is taken again");
        new ContractLoader(new RepositoryLayout(root), CheckRegistry.Default.Kinds).LoadFile(ContractFile).Should().BeSameAs(first, "the same file, by path");
        new ContractLoader(new RepositoryLayout(root)).Load("wavy-open-sessions").Should().BeSameAs(first, "a load that knows no check kinds (the mock's) takes it too");
        Load(new JsonObject()).Should().NotBeSameAs(Load(new JsonObject()), "a load with the target's overrides is never kept");
        var loads = 0;
        var layout = new RepositoryLayout(root);
        for (var i = 0; i < 3; i++)
        {
            LoadedContracts.GetOrLoad(Path.Combine(root, "schemas", "opencx-chat-sessions", "contract.json"), layout, null, () => { loads++; return first; });
        }

        loads.Should().Be(1, "a contract kept is not loaded again");

        // Past MaxKept contracts, the one used least recently is let go: one used between each new one stays.
        var (usedLoads, others) = (0, 0);
        for (var i = 0; i < LoadedContracts.MaxKept + 8; i++)
        {
            LoadedContracts.GetOrLoad(Path.Combine(root, "schemas", "kept", "used.json"), layout, null, () => { usedLoads++; return first; });
            LoadedContracts.GetOrLoad(Path.Combine(root, "schemas", "kept", $"other-{i}.json"), layout, null, () => { others++; return first; });
        }

        (usedLoads, others).Should().Be((1, LoadedContracts.MaxKept + 8));
        LoadedContracts.Count.Should().BeLessThanOrEqualTo(LoadedContracts.MaxKept + 2, "no more are kept (beside a load or two of other tests at that moment)");

        // A requirement of a check kind the engine does not know: the mock (which knows none) loads the contract, and the
        // engine's load of the very same bytes refuses it as a fresh load does, at the requirement's pointer.
        var known = File.ReadAllText(RequirementsFile);
        Edit(RequirementsFile, r => r["requirements"]![1]!["check"]!["kind"] = "no-such-kind");
        new ContractLoader(new RepositoryLayout(root)).Load("wavy-open-sessions").Requirements[1].Check!.Kind.Should().Be("no-such-kind");
        FluentActions.Invoking(() => Load()).Should().Throw<ConfigurationException>().Which.Message.Should()
            .Be($"{RequirementsFile}: at /requirements/1/check/kind: unknown check kind 'no-such-kind'; known kinds: {string.Join(", ", CheckRegistry.Default.Kinds.Order(StringComparer.Ordinal))}");
        File.WriteAllText(RequirementsFile, known);

        // Each file the contract is made of, and the format schema that judges it, edited in turn: the next load is new, and reads the edit.
        var requirements = File.ReadAllText(RequirementsFile);
        Edit(RequirementsFile, r => r["requirements"]![0]!["title"] = "an edited title of the first requirement");
        var edited = Load();
        edited.Should().NotBeSameAs(first);
        edited.Requirements[0].Title.Should().Be("an edited title of the first requirement");
        Load().Should().BeSameAs(edited);

        var body = Path.Combine(root, "schemas", "wavy-open-sessions", "success-body.schema.json");
        var bodyText = File.ReadAllText(body);
        Edit(body, b => b["description"] = "edited too");
        var schemaEdited = Load();
        schemaEdited.Should().NotBeSameAs(edited);
        schemaEdited.BodySchemas["success-body.schema.json"].Description.Should().Be("edited too", "the body schema is read again");

        // A file the contract does not name is in the key too: a $ref may reach any file beside it.
        File.WriteAllText(Path.Combine(root, "schemas", "wavy-open-sessions", "notes.json"), "{}");
        var withNotes = Load();
        withNotes.Should().NotBeSameAs(schemaEdited);
        // The same bytes under another name (a $ref by name would now find another file) are another key too.
        File.Move(Path.Combine(root, "schemas", "wavy-open-sessions", "notes.json"), Path.Combine(root, "schemas", "wavy-open-sessions", "notes-renamed.json"));
        Load().Should().NotBeSameAs(withNotes);
        File.Move(Path.Combine(root, "schemas", "wavy-open-sessions", "notes-renamed.json"), Path.Combine(root, "schemas", "wavy-open-sessions", "notes.json"));

        // The format schema made to refuse every contract: the load fails, and fails again (it was not kept).
        var format = Path.Combine(root, "schemas", "_format", "requirements.schema.json");
        var formatText = File.ReadAllText(format);
        Edit(format, f => f["required"] = new JsonArray("no-such-member"));
        FluentActions.Invoking(() => Load()).Should().Throw<ConfigurationException>().Which.Message.Should().Contain("no-such-member");
        FluentActions.Invoking(() => Load()).Should().Throw<ConfigurationException>();

        // Every byte as it was at first: the first contract again (kept, unless 32 others came since).
        File.WriteAllText(format, formatText);
        // A schema file the body schema names by $ref, edited where the body schema's own file is not: the body schema is read again.
        var opencx = new ContractLoader(layout).Load("opencx-chat-sessions");
        Edit(Path.Combine(root, "schemas", "opencx-chat-sessions", "session.schema.json"), session => session["description"] = "a session, edited");
        new ContractLoader(layout).Load("opencx-chat-sessions").BodySchemas["list-body.schema.json"].Properties["items"].Item!.ActualSchema.Description
            .Should().Be("a session, edited", "not {0}", opencx.BodySchemas["list-body.schema.json"].Properties["items"].Item!.ActualSchema.Description);

        File.Delete(Path.Combine(root, "schemas", "wavy-open-sessions", "notes.json"));
        File.WriteAllText(body, bodyText);
        File.WriteAllText(RequirementsFile, requirements);
        var again = Load();
        again.Requirements[0].Title.Should().Be(first.Requirements[0].Title);
        again.BodySchemas["success-body.schema.json"].Description.Should().Be(first.BodySchemas["success-body.schema.json"].Description);
    }

    [Test]
    public async Task A_contract_beside_a_pipe_or_outside_its_schemas_folder_is_loaded_afresh_each_time_and_never_waits()
    {
        // Outside the layout's schemas folder: the key covers that folder only, so nothing is kept.
        var elsewhere = Path.Combine(root, "elsewhere");
        Copy(Path.Combine(root, "schemas", "wavy-open-sessions"), elsewhere);
        var loader = new ContractLoader(new RepositoryLayout(root), CheckRegistry.Default.Kinds);
        loader.LoadFile(Path.Combine(elsewhere, "contract.json")).Should().NotBeSameAs(loader.LoadFile(Path.Combine(elsewhere, "contract.json")));

        // A pipe in the folder: hashing it would wait for a writer; the contract, which does not name it, loads afresh.
        if (OperatingSystem.IsWindows() || !BadInputTests.MakeFifo(Path.Combine(root, "schemas", "wavy-open-sessions", "pipe")))
        {
            Assert.Ignore("no mkfifo here");
        }

        var loads = Task.Run(() => (Load(), Load()));
        (await Task.WhenAny(loads, Task.Delay(TimeSpan.FromSeconds(30)))).Should().BeSameAs(loads, "no load waits on the pipe");
        var (a, b) = await loads;
        a.Should().NotBeSameAs(b);
        a.Requirements.Should().NotBeEmpty();
    }

    [Test]
    public void A_contract_beside_a_file_that_cannot_be_read_is_loaded_afresh_each_time()
    {
        // A link to a file that is regular but fails every read (the process's own memory, read from its first byte): the
        // hash of the folder fails, and the contract, which does not name the file, loads as if nothing were kept.
        const string Unreadable = "/proc/self/mem";
        if (!OperatingSystem.IsLinux() || !File.Exists(Unreadable))
        {
            Assert.Ignore($"no {Unreadable} here");
        }

        File.CreateSymbolicLink(Path.Combine(root, "schemas", "wavy-open-sessions", "unreadable"), Unreadable);

        var (a, b) = (Load(), Load());
        a.Should().NotBeSameAs(b);
        a.Requirements.Should().NotBeEmpty();
    }

    private static void Copy(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        }
    }
}
