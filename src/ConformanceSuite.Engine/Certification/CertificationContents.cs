using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;
using ConformanceSuite.Running;
using ConformanceSuite.Targets;

namespace ConformanceSuite.Engine.Certification;

/// <summary>One file to put in a package: its path there, its kind, and where its bytes come from (a file, or bytes made here).</summary>
internal sealed record PackageSource(string Path, string Kind, string? File = null, byte[]? Bytes = null)
{
    public Stream Open() => Bytes is not null ? new MemoryStream(Bytes, writable: false) : System.IO.File.OpenRead(File!);
}

/// <summary>
/// What a certification package holds besides its manifest: every report of the run, the contract files the
/// run loaded (the APIs' folders, the format schemas, the pacts it verified, the target profile), each
/// overridden API's contract in force, and the target's public description.
/// </summary>
internal static class CertificationContents
{
    public const string TargetEntry = "target.json";

    public static IReadOnlyList<PackageSource> Collect(RunPlan plan, RunResults results, out CertifiedTarget target)
    {
        var sources = new List<PackageSource>();
        foreach (var name in RunResults.ReportFiles)
        {
            var file = Path.Combine(plan.ReportDirectory, name);
            if (!File.Exists(file))
            {
                throw new ConfigurationException($"the run's report {file} is missing; the package needs every report");
            }

            var kind = name switch
            {
                "requests.jsonl" => PackageFileKinds.RequestLog,
                RunLog.FileName => PackageFileKinds.RunLog,
                _ => PackageFileKinds.Report,
            };
            sources.Add(new PackageSource("reports/" + name, kind, file));
        }

        var used = new HashSet<string>(StringComparer.Ordinal);
        string InPackage(string file)
        {
            var relative = Path.GetRelativePath(plan.Layout.Root, file);
            var path = relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)
                ? "contracts/external/" + Path.GetFileName(file)
                : "contracts/" + relative.Replace(Path.DirectorySeparatorChar, '/');
            var unique = path;
            for (var i = 2; !used.Add(unique); i++)
            {
                unique = $"{path}.{i}";
            }

            return unique;
        }

        foreach (var file in ContractFiles(plan))
        {
            sources.Add(new PackageSource(InPackage(file), PackageFileKinds.Contract, file));
        }

        string? profileFile = null;
        if (plan.Profile is { } profile)
        {
            profileFile = InPackage(Path.GetFullPath(profile.File));
            sources.Add(new PackageSource(profileFile, PackageFileKinds.TargetProfile, profile.File));
            sources.AddRange(EffectiveContracts(plan, profile));
        }

        target = Describe(plan, results, profileFile);
        sources.Add(new PackageSource(TargetEntry, PackageFileKinds.Target, Bytes: JsonSerializer.SerializeToUtf8Bytes(target, ResultsJson.Options)));
        return sources;
    }

    /// <summary>
    /// The contract data the run loaded: the format schemas (and the record of validated files), every file of
    /// each API's contract folder (body schemas reference each other), any file a contract names outside it,
    /// and the pacts whose verification was a requirement of the run.
    /// </summary>
    private static IEnumerable<string> ContractFiles(RunPlan plan)
    {
        var layout = plan.Layout;
        var files = new List<string>(Directory.EnumerateFiles(Path.Combine(layout.Schemas, "_format"), "*", SearchOption.AllDirectories));
        var validated = Path.Combine(layout.Root, RepositoryLayout.ManifestFile);
        if (File.Exists(validated))
        {
            files.Add(validated);
        }

        foreach (var contract in plan.Catalog.Contracts.Values)
        {
            files.AddRange(Directory.EnumerateFiles(contract.Folder, "*", SearchOption.AllDirectories));
            files.Add(Path.Combine(contract.Folder, "contract.json"));
            files.Add(Path.Combine(contract.Folder, contract.RequirementsFile));
            if (contract.DocFindingsFile is { } findings)
            {
                files.Add(Path.Combine(contract.Folder, findings));
            }

            files.AddRange(contract.BodySchemas.Keys.Concat(contract.CsvSpecs.Keys).Select(name => Path.Combine(contract.Folder, name)));
        }

        files.AddRange(plan.Catalog.Requirements
            .Select(x => x.Requirement.Check)
            .Where(c => c?.Kind == PactVerificationCheck.KindName && c.Parameter is not null)
            .Select(c => Path.Combine(layout.Pacts, c!.Parameter!)));
        return files.Select(Path.GetFullPath).Where(File.Exists).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
    }

    /// <summary>For each API whose contract the profile overrides: the contract and requirements in force (overrides applied), and the overrides.</summary>
    private static IEnumerable<PackageSource> EffectiveContracts(RunPlan plan, TargetProfiles.Profile profile)
    {
        var overlays = TargetProfiles.Overrides(profile);
        foreach (var (id, contract) in plan.Catalog.Contracts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (overlays.GetValueOrDefault(id) is not { } overlay)
            {
                continue;
            }

            var contractFile = Path.Combine(contract.Folder, "contract.json");
            var requirementsFile = Path.Combine(contract.Folder, contract.RequirementsFile);
            var effective = ContractOverrides.ApplyToContract(SchemaValidator.ParseJson(contractFile, InputFile.ReadAllText(contractFile, "contract file")), overlay, profile.File, ContractOverrides.ProfilePointer(id));
            var requirements = ContractOverrides.ApplyToRequirements(SchemaValidator.ParseJson(requirementsFile, InputFile.ReadAllText(requirementsFile, "contract file")), overlay);
            yield return new PackageSource($"effective/{id}/contract.json", PackageFileKinds.EffectiveContract, Bytes: Json(effective));
            yield return new PackageSource($"effective/{id}/requirements.json", PackageFileKinds.EffectiveContract, Bytes: Json(requirements));
            yield return new PackageSource($"effective/{id}/overrides.json", PackageFileKinds.EffectiveContract, Bytes: Json(overlay));
        }
    }

    private static byte[] Json(JsonNode node) => System.Text.Encoding.UTF8.GetBytes(node.ToJsonString(ResultsJson.Options) + "\n");

    /// <summary>The target as anyone may see it: names, descriptions, base URLs (redacted), credential names and where they came from.</summary>
    private static CertifiedTarget Describe(RunPlan plan, RunResults results, string? profileFile)
    {
        var credentials = new List<CredentialUse>();
        foreach (var (id, contract) in plan.Catalog.Contracts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (plan.Profile is { Embedded: true })
            {
                credentials.AddRange(contract.Auth.Credentials.Select(c => new CredentialUse(id, c.Name, "embedded mock data set")));
            }
            else if (plan.Profile is { } profile)
            {
                var api = profile.Json["apis"]?[id] as JsonObject;
                foreach (var (name, reference) in api?["credentials"] as JsonObject ?? [])
                {
                    credentials.Add(new CredentialUse(id, name, "environment variable", reference?["env"]?.GetValue<string>()));
                }

                if (api?["pact"]?["broker"]?["token"]?["env"]?.GetValue<string>() is { } broker)
                {
                    credentials.Add(new CredentialUse(id, "pact broker token", "environment variable", broker));
                }
            }
            else if (plan.Settings.AdHoc is { } adHoc)
            {
                credentials.AddRange(contract.Auth.Credentials.Where(c => adHoc.Credentials.ContainsKey(c.Name))
                    .Select(c => new CredentialUse(id, c.Name, "ad-hoc target")));
            }
        }

        return new CertifiedTarget
        {
            Name = results.Target.Name,
            Description = results.Target.Description,
            Embedded = results.Target.Embedded,
            BaseUrls = results.Target.BaseUrls.ToDictionary(kv => kv.Key, kv => WithoutUserInfo(kv.Value), StringComparer.Ordinal),
            Credentials = credentials,
            ProfileFile = profileFile,
            Faults = results.Target.Faults,
            InsecureTls = results.Target.InsecureTls,
            RequestsPerMinute = results.Target.RequestsPerMinute,
            Profile = plan.Profile?.Json.DeepClone() as JsonObject,
        };
    }

    /// <summary>A base URL with any user name and password in it masked (the run already redacted the credentials it knew).</summary>
    private static string WithoutUserInfo(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? url.Replace(uri.UserInfo + "@", Redactor.Mask + "@", StringComparison.Ordinal)
            : url;
}
