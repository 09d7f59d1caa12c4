using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MicoPortal.Server.Infrastructure;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace MicoPortal.Server.Providers;

/// <summary>
/// HTTP client of the provider API. Resilience here means: bounded time per call (the client's pipeline,
/// <see cref="ProviderResilience"/>), the provider's <see cref="ProviderLimiter"/> (adaptive calls in flight,
/// a rate cap) fed with how every call ended, and an honest classification of every answer. Nothing is
/// retried here — a create whose answer is lost becomes <see cref="CreateResult.Unknown"/> and is resolved
/// by a query. Queries are retried by the verify sweep's backoff, which honours Retry-After.
/// <para>
/// The cancellation token of a create only cancels waiting for the limiter (then nothing was sent and
/// the caller sees <see cref="OperationCanceledException"/>); once sent, a create runs to its answer or
/// its timeout, because an abandoned create is an unknown outcome. Queries and lookups only read, so
/// cancelling them aborts the call.
/// </para>
/// </summary>
public sealed class HttpProviderClient(
    string name,
    HttpClient http,
    IOptionsMonitor<ProviderOptions> options,
    PortalAddress portal,
    ProviderLimiter limiter,
    ProviderPause pause,
    TimeProvider time,
    ILogger<HttpProviderClient> logger) : IProviderClient
{
    public async Task<CreateResult> CreateOrderAsync(ProviderCreateOrderRequest request, CancellationToken cancellationToken)
    {
        int? status;
        byte[] body;
        HttpResponseHeaders? headers;
        int latency;
        string? error;
        try
        {
            (status, body, headers, latency, error) = await SendAsync(ProviderCallKind.Create, "v1/orders", request, cancellationToken);
        }
        catch (ProviderPausedException)
        {
            return new CreateResult.NotSent($"provider {name} is paused");
        }

        var call = new CallInfo(status, latency);
        if (error is not null)
        {
            return new CreateResult.Unknown(error, null, call);
        }

        switch (status)
        {
            case 200 or 201:
                return TryParse<ProviderOrder>(body, out var order) && order is not null
                    ? new CreateResult.Accepted(order, call)
                    : new CreateResult.Unknown($"unreadable {status} answer to create", null, call);
            case 400 or 409 or 422:
                var problem = ParseError(body);
                return new CreateResult.Rejected(problem?.Code ?? (status == 409 ? ProviderErrorCodes.RefConflict : ProviderErrorCodes.Validation), problem?.Message ?? $"HTTP {status}", call);
            default:
                // 401/403 (our key), 404, 429, 5xx: nothing proves the order was or was not taken.
                var err = ParseError(body);
                return new CreateResult.Unknown($"HTTP {status} {err?.Code}".TrimEnd(), RetryAfter(headers, err), call);
        }
    }

    public async Task<QueryResult> QueryOrdersAsync(IReadOnlyList<string> clientRefs, CancellationToken cancellationToken)
    {
        var (status, body, headers, latency, error) = await SendAsync(ProviderCallKind.Query, "v1/orders/query", new ProviderQueryRequest(clientRefs), cancellationToken);
        var call = new CallInfo(status, latency);
        if (error is not null)
        {
            return new QueryResult.Failed(error, null, call);
        }

        if (status == 200 && TryParse<ProviderQueryResponse>(body, out var answer) && answer is not null)
        {
            return new QueryResult.Answered(answer.Orders ?? [], answer.NotFound ?? [], call);
        }

        var err = ParseError(body);
        return new QueryResult.Failed(status == 200 ? "unreadable query answer" : $"HTTP {status} {err?.Code}".TrimEnd(), RetryAfter(headers, err), call);
    }

    public async Task<LookupResult> LookupAccountAsync(ProviderLookupRequest request, CancellationToken cancellationToken)
    {
        var (status, body, _, latency, error) = await SendAsync(ProviderCallKind.Lookup, "v1/accounts/lookup", request, cancellationToken);
        var call = new CallInfo(status, latency);
        if (error is not null)
        {
            return new LookupResult(null, error, call);
        }

        return status == 200 && TryParse<ProviderLookupResponse>(body, out var answer) && answer is not null
            ? new LookupResult(answer, null, call)
            : new LookupResult(null, $"HTTP {status} {ParseError(body)?.Code}".TrimEnd(), call);
    }

    public async Task<BalanceResult> GetBalanceAsync(CancellationToken cancellationToken)
    {
        var (status, body, _, latency, error) = await SendAsync<object?>(ProviderCallKind.Lookup, "v1/balance", null, cancellationToken);
        var call = new CallInfo(status, latency);
        if (error is not null)
        {
            return new BalanceResult(null, error, call);
        }

        return status == 200 && TryParse<ProviderBalance>(body, out var answer) && answer is not null
            && decimal.TryParse(answer.Balance, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out _)
            ? new BalanceResult(answer, null, call)
            : new BalanceResult(null, status == 200 ? "unreadable balance answer" : $"HTTP {status} {ParseError(body)?.Code}".TrimEnd(), call);
    }

    /// <summary>
    /// One call, bounded by the client's timeout (<see cref="ProviderResilience"/>, by <paramref name="kind"/>). Transport
    /// faults and timeouts come back as <c>error</c>, never as exceptions. A null payload is a GET. A create is sent only
    /// past the provider's pause switch (else <see cref="ProviderPausedException"/>).
    /// </summary>
    private async Task<(int? Status, byte[] Body, HttpResponseHeaders? Headers, int LatencyMs, string? Error)> SendAsync<T>(
        ProviderCallKind kind, string path, T payload, CancellationToken cancellationToken)
    {
        var settings = options.Get(name);
        using var request = payload is null
            ? new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri(settings), path))
            : new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUri(settings), path)) { Content = JsonContent.Create(payload, options: ProviderJson.Options) };
        request.Options.Set(ProviderResilience.CallKind, kind);
        if (!string.IsNullOrEmpty(settings.ApiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.ApiKey);
        }

        await limiter.AcquireAsync(kind, cancellationToken);
        var gated = kind == ProviderCallKind.Create;
        if (gated && !pause.TryBeginCreate())
        {
            limiter.Release(kind, null, 0);
            throw new ProviderPausedException();
        }

        var started = Stopwatch.GetTimestamp();
        CallOutcome? outcome = CallOutcome.Failed;
        // A create, once sent, is bounded by its timeout alone (see the class remarks).
        var callToken = gated ? CancellationToken.None : cancellationToken;
        try
        {
            // The pipeline has read the body within the timeout: reading it here does not wait on the network.
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, callToken);
            var body = await response.Content.ReadAsByteArrayAsync(callToken);
            var status = (int)response.StatusCode;
            outcome = status is 429 or 503 ? CallOutcome.Refused : status >= 500 ? CallOutcome.Failed : CallOutcome.Answered;
            return (status, body, response.Headers, Elapsed(started), null);
        }
        catch (TimeoutRejectedException ex)
        {
            return (null, [], null, Elapsed(started), $"timeout after {ex.Timeout.TotalSeconds:0.#} s");
        }
        catch (OperationCanceledException) when (!callToken.IsCancellationRequested)
        {
            // Not our cancellation: the transport gave up (its connect timeout).
            return (null, [], null, Elapsed(started), "the call was cancelled before the answer arrived");
        }
        catch (OperationCanceledException)
        {
            outcome = null; // abandoned by us: says nothing about the provider
            throw;
        }
        catch (HttpRequestException ex)
        {
            logger.LogDebug(ex, "Provider call {Path} failed", path);
            return (ex.StatusCode is { } code ? (int)code : null, [], null, Elapsed(started), ex.HttpRequestError switch
            {
                HttpRequestError.ResponseEnded or HttpRequestError.Unknown => "connection dropped before the answer arrived",
                HttpRequestError.ConnectionError => "could not connect to the provider",
                HttpRequestError.NameResolutionError => "the provider's host name does not resolve",
                HttpRequestError.SecureConnectionError => "TLS handshake with the provider failed",
                var other => $"connection failed: {other}",
            });
        }
        catch (IOException ex)
        {
            logger.LogDebug(ex, "Provider call {Path} broke while reading", path);
            return (null, [], null, Elapsed(started), "connection dropped while reading the answer");
        }
        finally
        {
            limiter.Release(kind, outcome, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (gated)
            {
                pause.EndCreate();
            }
        }
    }

    /// <summary>The configured base URL, or the built-in sandbox instance of this provider's name.</summary>
    private Uri BaseUri(ProviderOptions settings) =>
        new((string.IsNullOrWhiteSpace(settings.BaseUrl) ? new Uri(portal.Root, ProviderCatalog.SandboxPath(name).TrimStart('/')).ToString() : settings.BaseUrl).TrimEnd('/') + "/");

    /// <summary>The create met a paused provider at the last moment and was not sent.</summary>
    private sealed class ProviderPausedException : Exception;

    private static int Elapsed(long started) => (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private static bool TryParse<T>(byte[] body, out T? value)
    {
        try
        {
            value = JsonSerializer.Deserialize<T>(body, ProviderJson.Options);
            return value is not null;
        }
        catch (JsonException)
        {
            value = default;
            return false;
        }
    }

    private static ProviderError? ParseError(byte[] body) =>
        TryParse<ProviderErrorResponse>(body, out var response) ? response?.Error : null;

    private TimeSpan? RetryAfter(HttpResponseHeaders? headers, ProviderError? error)
    {
        if (headers?.RetryAfter is { } header)
        {
            if (header.Delta is { } delta)
            {
                return delta;
            }

            if (header.Date is { } date)
            {
                var wait = date - time.GetUtcNow();
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        return error?.RetryAfterSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
    }
}

/// <summary>
/// The <c>callbackUrl</c> sent with each create: configured per provider, or the portal's own callbacks route
/// of that provider (<c>/api/v1/provider/callbacks/&lt;name&gt;</c>; the route without a name is <c>default</c>'s).
/// </summary>
public sealed class ProviderCallbackAddress(IOptionsMonitor<ProviderOptions> options, PortalAddress portal)
{
    public const string Route = "api/v1/provider/callbacks";

    public static string RouteOf(string provider) => provider == ProviderCatalog.DefaultProvider ? Route : $"{Route}/{provider}";

    public string For(string provider) => options.Get(provider).CallbackUrl is { Length: > 0 } configured && !string.IsNullOrWhiteSpace(configured)
        ? configured
        : new Uri(portal.Root, RouteOf(provider)).ToString();
}
