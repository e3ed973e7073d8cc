namespace ConformanceSuite.Tests;

/// <summary>Guards on the data: ids, coverage, schemas with valid and invalid fixtures.</summary>
[TestFixture]
public sealed class RepositoryTests
{
    private static List<ApiContract> Contracts() =>
        Harness.Layout.ApiIds().Select(id => new ContractLoader(Harness.Layout, CheckRegistry.Default.Kinds).Load(id)).ToList();

    [Test]
    public void Every_contract_loads_and_names_its_folder()
    {
        var contracts = Contracts();

        contracts.Should().NotBeEmpty();
        contracts.Should().OnlyContain(c => Path.GetFileName(c.Folder) == c.Id);
    }

    [Test]
    public void Requirement_ids_are_unique_across_all_apis()
    {
        var ids = Contracts().SelectMany(c => c.Requirements).Select(r => r.Id).ToList();

        ids.Should().OnlyHaveUniqueItems();
    }

    [Test]
    public void Every_requirement_is_checked_or_waived_with_a_reason()
    {
        foreach (var r in Contracts().SelectMany(c => c.Requirements))
        {
            (r.Check is not null || r.Waived is { Length: >= 10 }).Should().BeTrue($"{r.Id} must be checked or waived with a reason");
            (r.Check is not null && r.Waived is not null).Should().BeFalse($"{r.Id} cannot be both checked and waived");
        }
    }

    [Test]
    public void Every_requirement_yields_at_least_one_case()
    {
        foreach (var c in Contracts())
        {
            foreach (var r in c.Requirements.Where(r => r.Check is not null))
            {
                CheckRegistry.Default.Get(r.Check!.Kind).Expand(c, r).Should().NotBeEmpty($"{r.Id} would never run");
            }
        }
    }

    [Test]
    public void Every_check_kind_is_used_by_some_requirement()
    {
        var used = Contracts().SelectMany(c => c.Requirements).Select(r => r.Check?.Kind).OfType<string>().ToHashSet();

        CheckRegistry.Default.Kinds.Should().BeSubsetOf(used);
    }

    [Test]
    public void Every_required_parameter_and_credential_has_a_requirement()
    {
        foreach (var c in Contracts())
        {
            var kinds = c.Requirements.Select(r => r.Check?.Kind).ToHashSet();
            foreach (var p in c.Endpoints.SelectMany(e => e.Parameters).Where(p => p.Required && p.In == "query"))
            {
                c.Requirements.Should().Contain(r => r.Check!.Kind == RequiredParameterCheck.KindName && (r.Check.Parameter == null || r.Check.Parameter == p.Name),
                    $"{c.Id}: required parameter {p.Name} needs a requirement");
            }

            kinds.Should().Contain(CredentialCheck.MissingKind).And.Contain(CredentialCheck.WrongKind);
        }
    }

    [Test]
    public void Every_assumption_is_used_and_every_requirement_names_a_known_source()
    {
        foreach (var c in Contracts())
        {
            var text = File.ReadAllText(Path.Combine(c.Folder, "contract.json")) + File.ReadAllText(Path.Combine(c.Folder, c.RequirementsFile))
                       + string.Concat(Directory.EnumerateFiles(c.Folder, "*.csv-spec.json").Select(File.ReadAllText));
            foreach (var a in c.Assumptions)
            {
                text.Split(a.Id).Length.Should().BeGreaterThan(2, $"{a.Id} is declared in {c.Id} but never used");
            }
        }
    }

    /// <summary>fixtures/&lt;api&gt;/bodies/&lt;schema name without .schema.json&gt;/{valid,invalid}/*.json</summary>
    public static IEnumerable<TestCaseData> BodyFixtures() =>
        Contracts().SelectMany(c => c.BodySchemas.Keys.SelectMany(schema =>
        {
            var folder = Path.Combine(Harness.Layout.ApiFixtures(c.Id), "bodies", schema.Replace(".schema.json", "", StringComparison.Ordinal));
            return new[] { "valid", "invalid" }.SelectMany(kind =>
                Directory.Exists(Path.Combine(folder, kind))
                    ? Directory.EnumerateFiles(Path.Combine(folder, kind), "*.json").Select(f =>
                        new TestCaseData(c.Id, schema, f, kind == "valid").SetName($"{c.Id} {schema} fixture {kind}/{Path.GetFileName(f)}"))
                    : []);
        }));

    [TestCaseSource(nameof(BodyFixtures))]
    public void Body_fixtures_validate_as_their_folder_says(string api, string schema, string file, bool valid)
    {
        var contract = new ContractLoader(Harness.Layout).Load(api);

        var violations = SchemaValidator.Validate(contract.BodySchemas[schema], File.ReadAllText(file));

        (violations.Count == 0).Should().Be(valid, string.Join("; ", violations));
    }

    [Test]
    public void Every_body_schema_has_a_valid_and_an_invalid_fixture()
    {
        foreach (var c in Contracts())
        {
            foreach (var schema in c.BodySchemas.Keys)
            {
                var folder = Path.Combine(Harness.Layout.ApiFixtures(c.Id), "bodies", schema.Replace(".schema.json", "", StringComparison.Ordinal));
                Directory.EnumerateFiles(Path.Combine(folder, "valid"), "*.json").Should().NotBeEmpty($"{c.Id}: {schema} needs a valid fixture");
                Directory.EnumerateFiles(Path.Combine(folder, "invalid"), "*.json").Should().NotBeEmpty($"{c.Id}: {schema} needs an invalid fixture");
            }
        }
    }

    [Test]
    public void Every_doc_example_validates()
    {
        var contract = new ContractLoader(Harness.Layout).Load("opencx-chat-sessions");
        var examples = Path.Combine(Harness.Layout.ApiFixtures("opencx-chat-sessions"), "doc-examples");

        SchemaValidator.Validate(contract.BodySchemas["list-body.schema.json"], File.ReadAllText(Path.Combine(examples, "list-body.json"))).Should().BeEmpty("the long list item validates");
        SchemaValidator.Validate(contract.BodySchemas["session.schema.json"], File.ReadAllText(Path.Combine(examples, "get-body.json"))).Should().BeEmpty("the shorter get body validates");
    }

    [Test]
    public void No_code_under_src_names_an_api_of_the_data()
    {
        // The mock is chosen by each contract's shape (MockRegistry), so no code names an API: only comments may.
        var src = Path.Combine(Harness.Layout.Root, "src");
        var ids = Harness.Layout.ApiIds();
        var naming = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Number: i + 1, Line: line.Trim())))
            .Where(l => !l.Line.StartsWith("//", StringComparison.Ordinal) && ids.Any(id => l.Line.Contains(id, StringComparison.OrdinalIgnoreCase)))
            .Select(l => $"{Path.GetRelativePath(src, l.File)}:{l.Number}: {l.Line}")
            .ToList();

        ids.Should().NotBeEmpty();
        naming.Should().BeEmpty("an API is data: nothing under src may name one");
    }

    [Test]
    public void No_check_kind_name_is_a_string_literal_outside_its_own_class()
    {
        // A kind is named once, in its class's constant; everything else (preconditions, tests) goes through the
        // constant, so renaming a kind cannot silently break a link to it. The data names kinds too, as it must.
        var kinds = CheckRegistry.Default.All.Select(c => c.Kind).Append(Engine.PactVerificationCheck.KindName).ToHashSet(StringComparer.Ordinal);
        var strays = new[] { "src", "tests" }
            .SelectMany(top => Directory.EnumerateFiles(Path.Combine(Harness.Layout.Root, top), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Number: i + 1, Line: line.Trim())))
            .SelectMany(l => kinds.Where(k => l.Line.Contains($"\"{k}\"", StringComparison.Ordinal)).Select(k => (l.File, l.Number, l.Line, Kind: k)))
            .Where(l => !l.Line.Contains("const string", StringComparison.Ordinal)
                        && !(l.Line.Contains("JsonDerivedType", StringComparison.Ordinal) && l.Kind == CsvHeaderCheck.KindName)) // a finding type shares the word
            .Select(l => $"{Path.GetRelativePath(Harness.Layout.Root, l.File)}:{l.Number}: {l.Line}")
            .ToList();

        kinds.Should().HaveCountGreaterThan(20);
        strays.Should().BeEmpty("a check kind is named only by its class's constant");
    }

    /// <summary>
    /// The message of the catalog's refusal of a copy of the contracts whose wavy-open-sessions requirement of
    /// <paramref name="kind"/> is changed by <paramref name="edit"/>.
    /// </summary>
    private static string WavyCatalogRefusal(string kind, Action<JsonNode> edit)
    {
        var dir = Path.Combine(Path.GetTempPath(), "cs-binding-" + Guid.NewGuid().ToString("N"));
        try
        {
            CliTests.CopyDirectory(Harness.Layout.Root, dir, ["schemas", "fixtures", "targets", "pacts"]);
            var requirements = Path.Combine(dir, "schemas", "wavy-open-sessions", "requirements.json");
            var json = JsonNode.Parse(File.ReadAllText(requirements))!;
            edit(json["requirements"]!.AsArray().Single(r => r!["check"]?["kind"]?.GetValue<string>() == kind)!["check"]!);
            File.WriteAllText(requirements, json.ToJsonString());

            var act = () => Running.CaseCatalog.Build(new RepositoryLayout(dir), ["wavy-open-sessions"], []);

            return act.Should().Throw<ConfigurationException>().Which.Message;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Every_check_s_binding_and_preconditions_are_checked_when_the_catalog_is_built()
    {
        // Without a requirement that judges the successful call (wavy has no list), the checks relying on it have no judge.
        WavyCatalogRefusal(SuccessBodySchemaCheck.KindName, check => check["kind"] = JsonContentTypeCheck.KindName).Should()
            .Contain("requirements.json: at /requirements/").And.Contain("relies on 'the scenario's valid call answers its success status'")
            .And.Contain(SuccessBodySchemaCheck.KindName);
    }

    [Test]
    public void A_download_relied_on_for_a_scenario_its_judge_does_not_download_is_refused_when_the_catalog_is_built()
    {
        // WAVY-009 judged the download of with-sessions alone. The CSV checks of sub-account relied on its download too:
        // a dead link there skipped them "(judged by WAVY-009)", which passed, and the run ended incomplete, not failed.
        WavyCatalogRefusal(DownloadAnonymousCheck.KindName, check => check["scenarios"] = new JsonArray("with-sessions")).Should()
            .Contain("relies on 'the download answers with a file', which no requirement of wavy-open-sessions judges for scenario 'sub-account'")
            .And.Contain(DownloadAnonymousCheck.KindName);
    }

    [Test]
    public void The_doc_findings_name_existing_sources_and_requirements()
    {
        foreach (var c in Contracts())
        {
            foreach (var f in c.DocFindings)
            {
                f.Sources.Should().OnlyContain(s => c.Sources.ContainsKey(s));
                f.Affects.Should().OnlyContain(id => c.Requirements.Any(r => r.Id == id));
            }
        }
    }

    [Test]
    public void The_mock_data_set_serves_every_test_data_slot_of_its_contract()
    {
        foreach (var mock in MockServer.MockHost.Implementations(Harness.Layout))
        {
            var contract = new ContractLoader(Harness.Layout).Load(mock.ApiId);
            mock.TestData.Keys.Should().BeEquivalentTo(contract.TestData.Keys);
            mock.Credentials.Keys.Should().BeEquivalentTo(contract.Auth.Credentials.Select(c => c.Name));
        }
    }

    [Test]
    public void The_target_profiles_in_the_repository_are_valid()
    {
        foreach (var file in Directory.EnumerateFiles(Harness.Layout.Targets, "*.json"))
        {
            var profile = Targets.TargetProfiles.Read(Harness.Layout, file);
            profile.Name.Should().Be(Path.GetFileNameWithoutExtension(file));
        }
    }

    [Test]
    public void Every_data_file_declares_its_format_schema()
    {
        foreach (var file in Directory.EnumerateFiles(Harness.Layout.Schemas, "*.json", SearchOption.AllDirectories)
                     .Where(f => !f.Contains("_format", StringComparison.Ordinal) && !f.EndsWith(".schema.json", StringComparison.Ordinal)))
        {
            JsonNode.Parse(File.ReadAllText(file))!["$schema"].Should().NotBeNull($"{file} should name its format schema");
        }
    }
}
