using System.Globalization;
using System.Text.Json;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Telemetry;
using MicoPortal.Shared.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Verification;

/// <summary>
/// Delivery callbacks from the provider (docs/api.md section 4): signature over the raw bytes,
/// timestamp window, then <see cref="CallbackBatcher"/>: event de-duplication and the same state machine as
/// the sweeps, for many callbacks in one transaction.
/// </summary>
public static class CallbacksApi
{
    /// <summary>Callbacks are small; anything bigger is not from a provider.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapCallbacksApi(this IEndpointRouteBuilder app)
    {
        // docs/api.md section 8: each provider posts to its own route, checked with its own secret; the route
        // without a name is the default provider's.
        app.MapPost("/" + ProviderCallbackAddress.Route, (HttpContext http, ProviderCatalog providers, IOptionsMonitor<ProviderOptions> options, TimeProvider time,
            CallbackBatcher batcher, CancellationToken cancellationToken) =>
            ReceiveCallback(ProviderCatalog.DefaultProvider, http, providers, options, time, batcher, cancellationToken)).WithTags("Provider callbacks");
        app.MapPost("/" + ProviderCallbackAddress.Route + "/{provider}", ReceiveCallback).WithTags("Provider callbacks");
        return app;
    }

    public static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> ReceiveCallback(
        string provider,
        HttpContext http,
        ProviderCatalog providers,
        IOptionsMonitor<ProviderOptions> options,
        TimeProvider time,
        CallbackBatcher batcher,
        CancellationToken cancellationToken)
    {
        // A provider the portal does not know has no secret, so no signature of its can be valid.
        var settings = providers.Find(provider) is null ? null : options.Get(provider);
        var body = await ReadBodyAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return Problems.Of(StatusCodes.Status413PayloadTooLarge, "PAYLOAD_TOO_LARGE", $"A callback is at most {MaxBodyBytes} bytes.");
        }

        var headers = http.Request.Headers;
        if (!long.TryParse(headers[ProviderCallbackHeaders.Timestamp], NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)
            || settings is null
            || string.IsNullOrEmpty(settings.CallbackSecret)
            || !CallbackSignature.Verify(settings.CallbackSecret, timestamp, body, headers[ProviderCallbackHeaders.Signature]))
        {
            return Problems.Of(StatusCodes.Status401Unauthorized, ErrorCodes.CallbackSignature, "The callback signature is not valid.");
        }

        var age = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(timestamp);
        if (age.Duration() > settings!.CallbackTolerance)
        {
            return Problems.Of(StatusCodes.Status401Unauthorized, ErrorCodes.CallbackStale, "The callback timestamp is outside the accepted window.");
        }

        ProviderCallback? callback;
        try
        {
            callback = JsonSerializer.Deserialize<ProviderCallback>(body, ProviderJson.Options);
        }
        catch (JsonException)
        {
            callback = null;
        }

        if (callback?.Order?.ClientRef is null || string.IsNullOrEmpty(callback.EventId) || callback.EventId.Length > 128)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["body"] = ["Expected {eventId, type, order}."] });
        }

        var headerEventId = headers[ProviderCallbackHeaders.EventId].ToString();
        if (headerEventId.Length > 0 && headerEventId != callback.EventId)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["eventId"] = ["The event id header and body differ."] });
        }

        // The change this callback causes is traced as this span's child (CallbackBatcher carries it across its queue).
        using var activity = PortalTelemetry.Source.StartActivity(PortalTelemetry.Spans.Callback)?
            .SetTag(PortalTelemetry.Attributes.Provider, provider)
            .SetTag(PortalTelemetry.Attributes.EventId, callback.EventId)
            .SetTag(PortalTelemetry.Attributes.AttemptRef, callback.Order.ClientRef)
            .SetTag(PortalTelemetry.Attributes.ProviderStatus, callback.Order.Status);
        if (activity is not null && Order.TryParseClientRef(callback.Order.ClientRef, out var orderId, out _))
        {
            activity.SetTag(PortalTelemetry.Attributes.OrderId, orderId);
        }

        await batcher.ApplyAsync(callback, provider, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The raw bytes, as signed. Null when the body is over the limit.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
