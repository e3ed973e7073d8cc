using System.CommandLine;
using System.Text;
using ConformanceSuite.Engine.OpenApi;
using ConformanceSuite.Targets;

namespace ConformanceSuite.Cli;

/// <summary>
/// <c>conformance openapi --api ID [--out FILE] [--target PROFILE] [--contracts DIR] [--format json|yaml]</c>:
/// writes an OpenAPI 3.1 document of the API's contract in force (with the target profile's overrides) to
/// stdout or FILE; YAML when FILE ends in .yaml or .yml, JSON otherwise, unless --format says.
/// </summary>
public static class OpenApiCommand
{
    public const string Name = "openapi";

    /// <summary>
    /// Registers the subcommand on the root command. A root with a subcommand needs an action of its own, or
    /// System.CommandLine refuses a command line without the subcommand ("Required command was not provided");
    /// the action given does nothing, since the root's work is done by its caller after parsing.
    /// </summary>
    public static void AddTo(Command root, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Subcommands.Add(Create(stdout, stderr));
        if (root.Action is null)
        {
            root.SetAction(_ => ExitCodes.Conformant);
        }
    }

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var api = new Option<string>("--api") { Description = "the API id (a folder of schemas/)", Required = true };
        var output = new Option<string?>("--out") { Description = "the file to write (default, or '-': stdout); YAML when it ends in .yaml or .yml, JSON otherwise" };
        var target = new Option<string>("--target")
        {
            Description = "target profile whose overrides apply: a name under targets/ or a path (default: embedded)",
            DefaultValueFactory = _ => TargetProfiles.EmbeddedName,
        };
        var contracts = new Option<string?>("--contracts") { Description = "the contract data to use (schemas/, targets/); default: the copy shipped with the tool" };
        var format = new Option<string?>("--format") { Description = "json or yaml (default: from the --out file's extension; json on stdout)" };
        // Not AcceptOnlyFromAmong: its message spans several lines, and a usage error is one line.
        format.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } value && value is not ("json" or "yaml"))
            {
                r.AddError($"--format '{value}': expected json or yaml");
            }
        });

        var command = new Command(Name, "Write an OpenAPI 3.1 document of an API's contract in force (with a target profile's overrides).")
        {
            api, output, target, contracts, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(output);
            if (file == "-")
            {
                // Every tool's name for stdout; a file named '-' is still written as "./-".
                file = null;
            }

            if (file is not null && string.IsNullOrWhiteSpace(file))
            {
                await stderr.WriteLineAsync("conformance: --out is empty: give the file to write, or leave it out for stdout");
                return ExitCodes.UsageOrConfiguration;
            }

            if (file is not null)
            {
                InputFile.RequireRegularOutput(file, "--out file", "give a regular file to write, or leave --out out for stdout");
            }

            try
            {
                var document = OpenApiExporter.Export(new OpenApiExportSettings
                {
                    Api = parse.GetValue(api)!,
                    Target = parse.GetValue(target)!,
                    ContractsDirectory = parse.GetValue(contracts),
                });
                var kind = parse.GetValue(format) switch
                {
                    "yaml" => OpenApiFormat.Yaml,
                    "json" => OpenApiFormat.Json,
                    _ => OpenApiExporter.FormatFor(file),
                };
                var text = await OpenApiExporter.SerializeAsync(document, kind, ct);
                if (file is null)
                {
                    await stdout.WriteAsync(text);
                    await stdout.FlushAsync(ct);
                }
                else
                {
                    await File.WriteAllTextAsync(file, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), ct);
                    await stdout.WriteLineAsync($"conformance: wrote the OpenAPI document of {parse.GetValue(api)} to {Path.GetFullPath(file)}");
                }

                return ExitCodes.Conformant;
            }
            catch (Exception ex) when (file is not null && ex is IOException or UnauthorizedAccessException)
            {
                return await ExitCodes.ReportAsync(stderr, ex, $"cannot write {file}: ");
            }
        });
        return command;
    }
}
