using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Threading.RateLimiting;
using RestSharp;

namespace ConformanceSuite.Http;

/// <summary>
/// The suite's one HTTP path (RestSharp underneath). It attaches credentials only to the origin they
/// belong to, follows the redirects of a call with credentials only within its origin (those of a call without
/// any, such as a download, anywhere the address policy allows), caps bodies, bounds time, redacts what it
/// records and logs every exchange.
/// </summary>
public sealed class ConformanceHttpClient : IDisposable
{
    private readonly RestClient client;
    private readonly HttpSettings settings;
    private readonly Redactor redactor;
    private readonly RequestLog log;
    private readonly RateLimiter? limiter;

    /// <summary>The share of a target's rate limit the suite uses.</summary>
    public const double PacingFactor = 0.8;

    /// <summary>
    /// The layer for one run. <paramref name="addresses"/> says where a provider may send the suite (see
    /// <see cref="AddressPolicy"/>); null leaves every address open (tests and benchmarks of the layer itself).
    /// </summary>
    public ConformanceHttpClient(HttpSettings settings, Redactor redactor, RequestLog log, AddressPolicy? addresses = null)
    {
        this.settings = settings;
        this.redactor = redactor;
        this.log = log;
        if (settings.PacingInterval is { } interval)
        {
            // Evenly paced, one request at a time, at 80% of the configured rate: timers on both sides drift
            // (a provider's "1 s" window can run long, token ticks can bunch), and the margin keeps a full run
            // under a provider's limit; RateLimitTests counts every attempt in the log.
            limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = 1,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = interval,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
        }

        client = new RestClient(new RestClientOptions
        {
            FollowRedirects = false,
            // Each request's own deadline (Limits.Total) bounds it, headers and body together. Not null: RestSharp
            // then applies its own default of 100 s, which cut a download (300 s by default) or a long request limit
            // short, and the report named the deadline that had not passed.
            Timeout = Timeout.InfiniteTimeSpan,
            ThrowOnAnyError = false,
            UserAgent = $"ConformanceSuite/{typeof(ConformanceHttpClient).Assembly.GetName().Version?.ToString(3)}",
            // Bodies are decoded by the suite itself (Decoding), which knows both the wire size and the decoded
            // size: a compression bomb stops at a ratio, the caps count decoded bytes, and no compressed body is
            // handed on (the Pact relay included).
            AutomaticDecompression = DecompressionMethods.None,
            // The suite's own handler, set as above, and connecting where the address policy allows.
            ConfigureMessageHandler = given =>
            {
                given.Dispose();
                return Handler(settings, addresses);
            },
        });
    }

    /// <summary>The limit the HTTP library puts on each request: none, so that the suite's own deadlines alone apply.</summary>
    public TimeSpan? LibraryLimit => client.Options.Timeout;

    private static HttpMessageHandler Handler(HttpSettings settings, AddressPolicy? addresses)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };
        if (settings.Proxy is { } proxy)
        {
            handler.Proxy = proxy;
        }

        if (settings.InsecureTls)
        {
            // Certificates are validated unless the target says otherwise, explicitly; reports print it.
#pragma warning disable CA5359 // the one opt-in place: --insecure or "insecureTls": true, shown in every report
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        if (addresses is null)
        {
            return handler;
        }

        handler.ConnectCallback = addresses.ConnectAsync;
        return new AddressPolicy.ProxiedRequests(addresses, settings.Proxy ?? HttpClient.DefaultProxy, handler);
    }

    public RequestLog Log => log;

    /// <summary>The last request the run's time limit cut off, with how long it had waited; read once by the case it ends.</summary>
    public string? TakeCutOff() => Interlocked.Exchange(ref cutOff, null);

    private string? cutOff;

    public Redactor Redactor => redactor;

    public HttpSettings Settings => settings;

    /// <summary>Sends a call and buffers its body (up to <see cref="HttpSettings.MaxBufferedBytes"/>).</summary>
    public Task<HttpExchange> SendAsync(HttpCall call, CancellationToken ct) =>
        ExecuteAsync(call, async (exchange, body) =>
        {
            // A length past the cap is not made room for: the cap stops the body first.
            exchange.Body = await ReadAllAsync(body, DeclaredLength(exchange) is { } declared && declared <= settings.MaxBufferedBytes ? declared : null);
            return exchange;
        }, new Limits(settings.MaxBufferedBytes, "maxBufferedBytes", settings.RequestTimeout, "timeouts.requestSeconds") { Buffered = true }, ct);

    /// <summary>The largest body read straight into an array of the size its provider declared.</summary>
    public const long MaxPresizedBytes = 1024 * 1024;

    /// <summary>The body's length as the provider declared it (Content-Length), when the bytes read are the bytes sent (no content coding).</summary>
    private static long? DeclaredLength(HttpExchange exchange) =>
        !exchange.ResponseHeaders.ContainsKey("Content-Encoding")
        && exchange.ResponseHeaders.TryGetValue("Content-Length", out var text)
        && long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length)
            ? length
            : null;

    /// <summary>
    /// The whole body, read without holding a thread while it waits. A declared length (up to
    /// <see cref="MaxPresizedBytes"/>) is read into one array of that size, and then the body must end there; a body
    /// without one, or one that does not match it (the declared length is the provider's word, not a fact), is
    /// gathered as it comes. Either way the bytes are those read. The stream bounds the wait (a <see cref="LimitedStream"/>).
    /// </summary>
    public static async Task<byte[]> ReadAllAsync(Stream body, long? declared)
    {
        using var gathered = new MemoryStream();
        if (declared is > 0 and <= MaxPresizedBytes)
        {
            var exact = new byte[declared.Value];
            var length = 0;
            while (length < exact.Length)
            {
                var n = await body.ReadAsync(exact.AsMemory(length));
                if (n == 0)
                {
                    return exact.AsSpan(0, length).ToArray(); // shorter than declared
                }

                length += n;
            }

            var next = new byte[1];
            if (await body.ReadAsync(next) == 0)
            {
                return exact;
            }

            gathered.Write(exact); // longer than declared: the rest is gathered after it
            gathered.Write(next);
        }

        await body.CopyToAsync(gathered);
        return gathered.ToArray();
    }

    /// <summary>
    /// Sends a call and hands the body to <paramref name="consume"/> as a stream (never buffered whole): a
    /// download, checked as it arrives whatever its size. Time bounds it (timeouts.downloadSeconds, and the
    /// idle limit), and the decompression ratio; bytes do not. When the transport fails,
    /// <paramref name="consume"/> is not called and the result is default.
    /// </summary>
    public async Task<(HttpExchange Exchange, T? Result)> StreamAsync<T>(HttpCall call, Func<HttpExchange, Stream, T> consume, CancellationToken ct)
    {
        T? result = default;
        var exchange = await ExecuteAsync(call, (ex, body) =>
        {
            ex.Streamed = true;
            result = consume(ex, body);
            return Task.FromResult(ex);
        }, new Limits(long.MaxValue, "", settings.DownloadTimeout, "timeouts.downloadSeconds"), ct);
        if (exchange.Error is null)
        {
            return (exchange, result);
        }

        (result as IDisposable)?.Dispose(); // what it made of a body that then failed (a temporary file) goes now
        return (exchange, default);
    }

    /// <summary>Sends with bounded retries on 429 and 503, honouring Retry-After (seconds or an HTTP date).</summary>
    private async Task<HttpExchange> ExecuteAsync(HttpCall call, Func<HttpExchange, Stream, Task<HttpExchange>> onBody, Limits cap, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var exchange = await FollowAsync(call, onBody, cap, ct);
            exchange.Retries = attempt;
            var wait = RetryWait(exchange, attempt);
            // Logged once it is settled: every attempt, with its retry count and note.
            log.Add(exchange);
            if (wait is not { } delay)
            {
                return exchange;
            }

            await Task.Delay(delay, ct);
        }
    }

    /// <summary>How long to wait before trying a 429 or 503 again; null (with the reason noted when it is one) when the exchange is the last.</summary>
    private TimeSpan? RetryWait(HttpExchange exchange, int attempt)
    {
        if (exchange.Status is not (429 or 503))
        {
            return null;
        }

        if (attempt >= settings.MaxRetries)
        {
            exchange.RetryNote = $"{exchange.Status} after {settings.MaxRetries} retries; not retried further";
            return null;
        }

        var wait = RetryAfter(exchange) ?? TimeSpan.FromSeconds(Math.Pow(2, attempt));
        if (wait > settings.MaxRetryWait)
        {
            exchange.RetryNote = $"Retry-After asks for {wait.TotalSeconds:0} s, more than the {settings.MaxRetryWait.TotalSeconds:0} s the suite waits";
            return null;
        }

        return wait;
    }

    private static TimeSpan? RetryAfter(HttpExchange exchange)
    {
        if (!exchange.ResponseHeaders.TryGetValue("Retry-After", out var value))
        {
            return null;
        }

        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? at - DateTimeOffset.UtcNow is { } d && d > TimeSpan.Zero ? d : TimeSpan.Zero
            : null;
    }

    private async Task<HttpExchange> FollowAsync(HttpCall call, Func<HttpExchange, Stream, Task<HttpExchange>> onBody, Limits cap, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var url = call.Url;
        var redirects = new List<string>();
        for (var hop = 0; ; hop++)
        {
            var exchange = await SendOnceAsync(call with { Url = url }, onBody, cap, ct);
            exchange.Redirects.AddRange(redirects);
            exchange.DurationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!call.FollowRedirects || exchange.Status is not (301 or 302 or 303 or 307 or 308) || !exchange.ResponseHeaders.TryGetValue("Location", out var location))
            {
                return exchange;
            }

            if (!Uri.TryCreate(url, location, out var next))
            {
                // A Location no URL parser takes (a host never closed, a port past 65535) leads nowhere: the provider's
                // answer, judged as one that could not be followed, not a failure of the suite. It is scrubbed already.
                exchange.Error = ProviderText.Bounded($"the redirect's Location '{location}' is not a URL: not followed");
                return exchange;
            }

            // A call with credentials stays on its origin. One without any (a download) has nothing to leak, and a
            // file link that redirects to a CDN or signed storage is common: it follows an http(s) redirect anywhere
            // the address policy lets it connect.
            var anonymous = call.Credentials is null && next.Scheme is "http" or "https";
            if (CredentialSet.OriginOf(next) != CredentialSet.OriginOf(url) && !anonymous)
            {
                exchange.BlockedRedirect = ProviderText.Bounded(redactor.Scrub(next.ToString()));
                return exchange;
            }

            if (hop >= settings.MaxRedirects)
            {
                exchange.Error = $"more than {settings.MaxRedirects} redirects";
                return exchange;
            }

            redirects.Add(ProviderText.Bounded($"{exchange.Status} {redactor.Scrub(next.ToString())}"));
            url = next;
        }
    }

    private async Task<HttpExchange> SendOnceAsync(HttpCall call, Func<HttpExchange, Stream, Task<HttpExchange>> onBody, Limits cap, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await SendOnceCoreAsync(call, onBody, cap, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The report names the request the run's limit ended, so a slow provider is not a mystery.
            cutOff = $"{call.Method} {redactor.Scrub(call.Url.ToString())} ({call.Purpose}), which had waited {Stopwatch.GetElapsedTime(started).TotalSeconds:0.#} s";
            throw;
        }
    }

    /// <summary>The record of a call the layer refused to send, and why.</summary>
    private HttpExchange NotSent(HttpCall call, string why, string? limit = null) => new()
    {
        Limit = limit,
        Method = call.Method,
        Url = ProviderText.Bounded(redactor.Scrub(call.Url.AbsoluteUri)),
        Purpose = call.Purpose,
        Api = call.Api,
        Channel = call.Channel,
        Interaction = call.Interaction,
        Error = $"not sent: {why}",
    };

    private async Task<HttpExchange> SendOnceCoreAsync(HttpCall call, Func<HttpExchange, Stream, Task<HttpExchange>> onBody, Limits cap, CancellationToken ct)
    {
        var target = call.Url.AbsoluteUri;
        if (target.Length > settings.MaxUrlChars)
        {
            // Not sent: a URL this long (a provider's cursor, echoed back) is past what servers need to take, and it
            // would go into every log line and report that names the request.
            return NotSent(call, $"the URL is {target.Length:N0} characters long, more than maxUrlChars ({settings.MaxUrlChars:N0})", "maxUrlChars");
        }

        // The URL as it goes on the wire: the stack sends no user information (a password there is the user's own, masked).
        var wire = call.Url.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped);
        if (call.Credentials?.BelongsTo(call.Url) != true && redactor.ScrubSecrets(wire) != wire)
        {
            // Not sent: a provider's link (a file_url, a redirect) that carries a credential in its URL would take it to
            // an origin it does not belong to, or to one that would get it without asking for it.
            return NotSent(call, "the URL carries a credential, and the request is not one with that origin's credentials");
        }

        using var lease = limiter is null || !call.Paced ? null : await limiter.AcquireAsync(1, ct);

        // The request's total deadline covers the headers and the whole body: a body dripped a byte at a time
        // resets the idle timer on every byte, never this one.
        using var deadline = new CancellationTokenSource(cap.Total);
        var request = new RestRequest(call.Url, Method.Get)
        {
            Method = Enum.Parse<Method>(call.Method, ignoreCase: true),
            CompletionOption = HttpCompletionOption.ResponseHeadersRead,
        };
        request.AddHeader("Accept-Encoding", "gzip, deflate, br");
        if (call.Body is { } payload)
        {
            request.AddParameter(new BodyParameter("", payload, call.ContentType ?? "application/octet-stream", DataFormat.Binary));
        }
        var shown = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in call.Headers)
        {
            // Content headers cannot ride on a request without a body; the stack would drop or reject them.
            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            request.AddHeader(name, value);
            shown.Add(new(name, redactor.HeaderValue(name, value)));
        }

        var sent = new List<string>();
        if (call.Credentials is { } credentials)
        {
            if (!credentials.BelongsTo(call.Url))
            {
                throw new CredentialConfinementException(
                    $"refusing to send credentials of {CredentialSet.OriginOf(credentials.Origin)} to {CredentialSet.OriginOf(call.Url)}");
            }

            foreach (var (name, value) in credentials.Values)
            {
                var mode = call.CredentialModes.TryGetValue(name, out var m) ? m : CredentialMode.Valid;
                if (mode == CredentialMode.Missing)
                {
                    continue;
                }

                var actual = credentials.HeaderValue(name, mode);
                request.AddHeader(name, actual);
                shown.Add(new(name, redactor.HeaderValue(name, actual)));
                sent.Add(name);
            }
        }

        var exchange = new HttpExchange
        {
            Method = call.Method,
            Url = redactor.Scrub(call.Url.ToString()),
            Purpose = call.Purpose,
            Api = call.Api,
            Channel = call.Channel,
            Interaction = call.Interaction,
            RequestHeaders = shown,
            CredentialsSent = sent,
        };

        Exception? bodyError = null;
        // The body is read as the response arrives, before the library builds its response (which then reads nothing):
        // a buffered body without holding a thread while it waits for the provider; a download by its consumer.
        request.Interceptors = [new AfterResponse(async message =>
        {
            exchange.Status = (int)message.StatusCode;
            CopyHeaders(exchange, [.. message.Headers, .. message.Content.Headers]);
            try
            {
                using var raw = await message.Content.ReadAsStreamAsync(ct);
                using var decoded = Decoding.Of(raw, string.Join(",", message.Content.Headers.ContentEncoding), settings.MaxDecompressionRatio);
                using var limited = new LimitedStream(decoded, cap.Bytes, settings.Idle, $"{cap.Total.TotalSeconds:0.#} s ({cap.TotalSetting})", ct, deadline.Token)
                {
                    CapSetting = cap.Setting, MinBytesPerSecond = settings.MinBytesPerSecond, RateGrace = settings.Idle,
                };
                // A buffered body's excerpt is taken from the body; a streamed one's first bytes are kept as they pass.
                var keep = settings.ExcerptChars * 4;
                using var tee = cap.Buffered ? null : new ExcerptStream(limited, keep);
                await onBody(exchange, tee ?? (Stream)limited);
                exchange.BodyBytes = limited.BytesRead;
                exchange.BodyExcerpt = !IsText(exchange.ContentType) ? $"[{limited.BytesRead} bytes of {exchange.ContentType ?? "unknown type"}]"
                    : Excerpt(tee is null ? exchange.Body.AsSpan(0, Math.Min(keep, exchange.Body?.Length ?? 0)) : tee.Captured);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException or InvalidDataException)
            {
                bodyError = ex;
            }
        })];
        request.AdvancedResponseWriter = (message, req) => new RestResponse(req) { StatusCode = message.StatusCode, ResponseStatus = ResponseStatus.Completed };

        RestResponse response;
        try
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
            response = await client.ExecuteAsync(request, both.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            Failed(exchange, ex, cap);
            return exchange;
        }

        if (bodyError is not null)
        {
            Failed(exchange, bodyError, cap);
        }
        else if (response.ErrorException is { } error && exchange.Status is null)
        {
            Failed(exchange, error, cap);
        }
        else if (exchange.Status is null)
        {
            exchange.TimedOut = response.ResponseStatus == ResponseStatus.TimedOut;
            exchange.Error = response.ResponseStatus == ResponseStatus.TimedOut
                ? NoResponseWithin(cap)
                : $"no response ({response.ResponseStatus})";
        }

        ct.ThrowIfCancellationRequested();
        return exchange;
    }

    private void CopyHeaders(HttpExchange exchange, KeyValuePair<string, IEnumerable<string>>[] headers)
    {
        // The names too: a provider may echo a credential anywhere it likes, and split it over two headers (or fold a
        // header over two lines): each piece of a secret is masked, not only the whole. The names, and the values, are
        // read end to end: a secret cut into pieces shorter than a piece, one to a header, is still masked in each.
        var names = redactor.ScrubPieces([.. headers.Select(h => h.Key)]);
        var values = redactor.ScrubPieces([.. headers.Select(h => string.Join(", ", h.Value))]);
        for (var i = 0; i < headers.Length; i++)
        {
            exchange.ResponseHeaders[names[i]] = values[i];
        }
    }

    private static bool IsText(string? contentType)
    {
        var media = (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        return media.Length == 0 || media.StartsWith("text/", StringComparison.Ordinal) || media.EndsWith("json", StringComparison.Ordinal)
               || media.EndsWith("xml", StringComparison.Ordinal) || media.EndsWith("csv", StringComparison.Ordinal);
    }

    private string Excerpt(ReadOnlySpan<byte> bytes)
    {
        // Redacted before it is cut: a secret cut in two at the excerpt's end would no longer be recognised.
        // What is kept is far longer than the excerpt, but masks are shorter than what they mask: a body of
        // secrets end to end brings the end of what is kept (or read), maybe the first part of a secret, within
        // the excerpt. That part is masked too.
        var text = redactor.ScrubCut(Encoding.UTF8.GetString(bytes));
        if (text.Length > settings.ExcerptChars)
        {
            text = string.Concat(text.AsSpan(0, settings.ExcerptChars), "…");
        }

        // Evidence goes into XML and HTML reports: control characters (but tab, CR and LF, escaped below) become
        // U+FFFD. One character for one, so it may follow the cut; most excerpts have none, and are not copied.
        if (text.AsSpan().IndexOfAny(ControlCharacters) >= 0)
        {
            text = string.Create(text.Length, text, static (into, from) =>
            {
                for (var i = 0; i < from.Length; i++)
                {
                    into[i] = ControlCharacters.Contains(from[i]) ? '\uFFFD' : from[i];
                }
            });
        }

        // Bidirectional controls and the line separators as their escapes: a report shows the excerpt as it was sent.
        return ProviderText.Visible(text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal));
    }

    /// <summary>The control characters an excerpt may not carry: all of Unicode's (Cc) but tab, CR and LF.</summary>
    private static readonly System.Buffers.SearchValues<char> ControlCharacters = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Select(c => (char)c).Where(c => c is not ('\t' or '\r' or '\n'))]);

    /// <summary>
    /// An exchange that got no response, or no whole body: why, in words scrubbed and bounded (a limit's message may
    /// quote the provider: an encoding it named), and the setting that would lift a refusal or limit of the suite's own.
    /// </summary>
    private void Failed(HttpExchange exchange, Exception ex, Limits cap)
    {
        var (words, setting) = Words(ex, cap);
        exchange.Error = ProviderText.Bounded(redactor.Scrub(words));
        exchange.Limit = setting;
        exchange.TimedOut = TimedOut(ex);
    }

    /// <summary>True when the first exception of the chain the suite names (as <see cref="Words"/> does) is a time limit's.</summary>
    private static bool TimedOut(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case ResponseLimitException limit:
                    return limit.TimedOut;
                case AddressRefusedException or SocketException or System.Security.Authentication.AuthenticationException:
                    return false;
                case TimeoutException or TaskCanceledException:
                    return true;
            }
        }

        return false;
    }

    /// <summary>The first exception of the chain the suite can name, in words, with its setting; else the outer one's message.</summary>
    private static (string Words, string? Setting) Words(Exception ex, Limits cap)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case ResponseLimitException limit:
                    return (limit.Message, limit.Setting);
                case AddressRefusedException refused:
                    return (refused.Message, AddressPolicy.Setting);
                case SocketException socket:
                    return ($"cannot connect ({socket.SocketErrorCode})", null);
                case System.Security.Authentication.AuthenticationException tls:
                    return ($"TLS failed: {tls.Message} (certificate validation is on; --insecure turns it off for test endpoints)", null);
                case TimeoutException:
                case TaskCanceledException:
                    return (NoResponseWithin(cap), null);
            }
        }

        return (ex.Message, null);
    }

    /// <summary>
    /// No response before the request's deadline: that deadline, and the setting it comes from (a download's is
    /// timeouts.downloadSeconds, not the request timeout), which the user changes to wait longer.
    /// </summary>
    private static string NoResponseWithin(Limits cap) => $"no response within {cap.Total.TotalSeconds:0.#} s ({cap.TotalSetting})";

    /// <summary>A request's limits: the size cap on its body and the setting it comes from, and its total deadline.</summary>
    private sealed record Limits(long Bytes, string Setting, TimeSpan Total, string TotalSetting)
    {
        /// <summary>True when the body is read whole into the exchange (<see cref="SendAsync"/>), not streamed.</summary>
        public bool Buffered { get; init; }
    }

    public void Dispose()
    {
        client.Dispose();
        limiter?.Dispose();
    }

    /// <summary>Hands each response to <paramref name="read"/> as the library receives it, before it builds its own.</summary>
    private sealed class AfterResponse(Func<HttpResponseMessage, Task> read) : RestSharp.Interceptors.Interceptor
    {
        public override ValueTask AfterHttpRequest(HttpResponseMessage responseMessage, CancellationToken cancellationToken) => new(read(responseMessage));
    }

    /// <summary>Keeps the first bytes read through it, for evidence excerpts.</summary>
    private sealed class ExcerptStream(Stream inner, int keep) : ReadOnlyStream
    {
        private byte[]? captured;
        private int count;

        public ReadOnlySpan<byte> Captured => captured.AsSpan(0, count);

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            Keep(buffer.AsSpan(offset, n));
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            Keep(buffer.Span[..n]);
            return n;
        }

        private void Keep(ReadOnlySpan<byte> data)
        {
            var take = Math.Min(keep - count, data.Length);
            if (take > 0)
            {
                captured ??= new byte[keep];
                data[..take].CopyTo(captured.AsSpan(count));
                count += take;
            }
        }
    }
}
