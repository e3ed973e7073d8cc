using System.Runtime.InteropServices;

namespace ConformanceSuite.Pact;

/// <summary>A pact in the core's table (a 16-bit reference, passed by value).</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct PactHandle(ushort Ref);

/// <summary>An interaction of a pact: (pact_ref &lt;&lt; 16) | index, index 0 meaning invalid.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct InteractionHandle(uint Ref);

public enum PactSpecification
{
    Unknown = 0,
    V1 = 1,
    V1_1 = 2,
    V2 = 3,
    V3 = 4,
    V4 = 5,
}

public enum InteractionPart
{
    Request = 0,
    Response = 1,
}

public enum LevelFilter
{
    Off = 0,
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
    Trace = 5,
}

/// <summary>
/// The libpact_ffi declarations (0.5.x). The only place that touches P/Invoke: bools are one byte (U1),
/// strings UTF-8, <c>size_t</c> is <see cref="nuint"/>, <c>unsigned long</c> is <see cref="CULong"/>.
/// Strings the core allocates come back as pointers, to be read and then freed with string_delete.
/// </summary>
internal static partial class Native
{
    public const string Library = "pact_ffi";

    [LibraryImport(Library, EntryPoint = "pactffi_version")]
    public static partial nint Version();

    [LibraryImport(Library, EntryPoint = "pactffi_log_to_buffer")]
    public static partial int LogToBuffer(LevelFilter level);

    [LibraryImport(Library, EntryPoint = "pactffi_fetch_log_buffer", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint FetchLogBuffer(string? logId);

    [LibraryImport(Library, EntryPoint = "pactffi_string_delete")]
    public static partial void StringDelete(nint text);

    [LibraryImport(Library, EntryPoint = "pactffi_get_error_message")]
    public static unsafe partial int GetErrorMessage(byte* buffer, int length);

    [LibraryImport(Library, EntryPoint = "pactffi_new_pact", StringMarshalling = StringMarshalling.Utf8)]
    public static partial PactHandle NewPact(string consumer, string provider);

    [LibraryImport(Library, EntryPoint = "pactffi_with_specification")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool WithSpecification(PactHandle pact, PactSpecification specification);

    [LibraryImport(Library, EntryPoint = "pactffi_new_interaction", StringMarshalling = StringMarshalling.Utf8)]
    public static partial InteractionHandle NewInteraction(PactHandle pact, string description);

    [LibraryImport(Library, EntryPoint = "pactffi_upon_receiving", StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool UponReceiving(InteractionHandle interaction, string description);

    [LibraryImport(Library, EntryPoint = "pactffi_given", StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool Given(InteractionHandle interaction, string state);

    [LibraryImport(Library, EntryPoint = "pactffi_given_with_params", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int GivenWithParams(InteractionHandle interaction, string state, string paramsJson);

    [LibraryImport(Library, EntryPoint = "pactffi_with_request", StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool WithRequest(InteractionHandle interaction, string method, string path);

    [LibraryImport(Library, EntryPoint = "pactffi_with_query_parameter_v2", StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool WithQueryParameter(InteractionHandle interaction, string name, nuint index, string value);

    [LibraryImport(Library, EntryPoint = "pactffi_with_header_v2", StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool WithHeader(InteractionHandle interaction, InteractionPart part, string name, nuint index, string value);

    [LibraryImport(Library, EntryPoint = "pactffi_with_body", StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool WithBody(InteractionHandle interaction, InteractionPart part, string contentType, string body);

    [LibraryImport(Library, EntryPoint = "pactffi_response_status")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool ResponseStatus(InteractionHandle interaction, ushort status);

    [LibraryImport(Library, EntryPoint = "pactffi_create_mock_server_for_transport", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int CreateMockServerForTransport(PactHandle pact, string address, ushort port, string? transport, string? transportConfig);

    [LibraryImport(Library, EntryPoint = "pactffi_mock_server_matched")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool MockServerMatched(int port);

    [LibraryImport(Library, EntryPoint = "pactffi_mock_server_mismatches")]
    public static partial nint MockServerMismatches(int port);

    [LibraryImport(Library, EntryPoint = "pactffi_mock_server_logs")]
    public static partial nint MockServerLogs(int port);

    [LibraryImport(Library, EntryPoint = "pactffi_cleanup_mock_server")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool CleanupMockServer(int port);

    [LibraryImport(Library, EntryPoint = "pactffi_pact_handle_write_file", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int PactHandleWriteFile(PactHandle pact, string directory, [MarshalAs(UnmanagedType.U1)] bool overwrite);

    [LibraryImport(Library, EntryPoint = "pactffi_free_pact_handle")]
    public static partial uint FreePactHandle(PactHandle pact);

    [LibraryImport(Library, EntryPoint = "pactffi_verifier_new_for_application", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint VerifierNewForApplication(string name, string version);

    [LibraryImport(Library, EntryPoint = "pactffi_verifier_set_provider_info", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void VerifierSetProviderInfo(nint handle, string name, string scheme, string host, ushort port, string path);

    [LibraryImport(Library, EntryPoint = "pactffi_verifier_set_provider_state", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void VerifierSetProviderState(nint handle, string url, byte teardown, byte body);

    [LibraryImport(Library, EntryPoint = "pactffi_verifier_set_verification_options")]
    public static partial int VerifierSetVerificationOptions(nint handle, byte disableSslVerification, CULong requestTimeoutMs);

    [LibraryImport(Library, EntryPoint = "pactffi_verifier_set_coloured_output")]
    public static partial int VerifierSetColouredOutput(nint handle, byte coloured);

    [LibraryImport(Library, EntryPoint = "pactffi_verifier_set_follow_redirects")]
    public static partial void VerifierSetFollowRedirects(nint handle, byte follow);

    [LibraryImport(Library, EntryPoint = "pactffi_verifier_set_filter_info", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void VerifierSetFilterInfo(nint handle, string? description, string? state, byte noState);

    [LibraryImport(Library, EntryPoint = "pactffi_verifier_set_publish_options", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int VerifierSetPublishOptions(nint handle, string providerVersion, string? buildUrl, nint tags, ushort tagsLength, string? branch);

    [LibraryImport(Library, EntryPoint = "pactffi_verifier_add_file_source", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void VerifierAddFileSource(nint handle, string file);

    [LibraryImport(Library, EntryPoint = "pactffi_verifier_broker_source_with_selectors", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int VerifierBrokerSourceWithSelectors(nint handle, string url, string? username, string? password, string? token,
        byte enablePending, string? includeWipPactsSince, nint providerTags, ushort providerTagsLength, string? providerBranch,
        nint consumerVersionSelectors, ushort selectorsLength, nint consumerVersionTags, ushort consumerTagsLength);

    [LibraryImport(Library, EntryPoint = "pactffi_verifier_add_custom_header", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void VerifierAddCustomHeader(nint handle, string name, string value);

    [LibraryImport(Library, EntryPoint = "pactffi_verifier_execute")]
    public static partial int VerifierExecute(nint handle);

    [LibraryImport(Library, EntryPoint = "pactffi_verifier_output")]
    public static partial nint VerifierOutput(nint handle, byte stripAnsi);

    [LibraryImport(Library, EntryPoint = "pactffi_verifier_json")]
    public static partial nint VerifierJson(nint handle);

    [LibraryImport(Library, EntryPoint = "pactffi_verifier_logs")]
    public static partial nint VerifierLogs(nint handle);

    [LibraryImport(Library, EntryPoint = "pactffi_verifier_shutdown")]
    public static partial void VerifierShutdown(nint handle);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "dup")]
    public static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "dup2")]
    public static partial int Dup2(int fd, int target);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);
}
