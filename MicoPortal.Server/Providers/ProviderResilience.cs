using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace MicoPortal.Server.Providers;

/// <summary>
/// The resilience pipeline of each provider's HTTP client (docs/resilience.md): a timeout per call, chosen by what the
/// call is for (<see cref="ProviderOptions.CreateTimeout"/> for a create, <see cref="ProviderOptions.QueryTimeout"/>
/// for queries, lookups and the balance), covering the answer's body as well as its headers.
/// <para>
/// Nothing else, on purpose. <b>No retry, for any call: a create is never sent twice by the portal on its own.</b>
/// An unanswered create may have been taken; it becomes Unknown and a status query settles it (docs/api.md section 1,
/// rule 1), and a second POST would be the duplicate order this rule exists to prevent. Reads are not retried here
/// either: the verify sweep retries them with its backoff, honouring Retry-After, and a retry inside the pipeline would
/// go past the provider's <see cref="ProviderLimiter"/> (its rate cap counts one request per call, and the adaptive
/// limit would never see the 429 or 503 that should shrink it). No circuit breaker: <see cref="ProviderHealthTracker"/>
/// is the provider's circuit, and it acts on routing (no new attempt goes to a provider that is down) instead of
/// failing calls, since a query or a callback check must still reach a provider that refuses new orders. No rate
/// limiter: the rate cap waits inside <see cref="ProviderLimiter.AcquireAsync"/>, before the pause switch and the
/// clock of the call start, so a wait for a token is neither latency to the adaptive limit nor part of the timeout.
/// </para>
/// </summary>
public static class ProviderResilience
{
    /// <summary>What the call is for; <see cref="HttpProviderClient"/> sets it on every request.</summary>
    public static readonly HttpRequestOptionsKey<ProviderCallKind> CallKind = new("MicoPortal.ProviderCallKind");

    /// <summary>Adds the pipeline to the client of <paramref name="provider"/>; its settings are read per call, so a reload applies at once.</summary>
    public static IHttpClientBuilder AddProviderResilience(this IHttpClientBuilder http, string provider)
    {
        http.AddResilienceHandler("provider", (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptionsMonitor<ProviderOptions>>();
            pipeline.AddTimeout(new HttpTimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(TimeoutOf(options.Get(provider), args.Context.GetRequestMessage())),
            });
        });

        // Inside the pipeline: the body is read before the timeout ends, so an answer whose headers came and whose
        // body hangs is a timeout too (with HttpClient reading the body after the pipeline, it would wait forever).
        http.AddHttpMessageHandler(() => new ReadBodyHandler());
        return http;
    }

    /// <summary>A call that does not say what it is for gets the create timeout.</summary>
    public static TimeSpan TimeoutOf(ProviderOptions settings, HttpRequestMessage? request) =>
        request is not null && request.Options.TryGetValue(CallKind, out var kind) && kind != ProviderCallKind.Create
            ? settings.QueryTimeout
            : settings.CreateTimeout;

    /// <summary>Reads the answer's body into memory within the call (and its timeout).</summary>
    private sealed class ReadBodyHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            try
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                return response;
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
    }
}
