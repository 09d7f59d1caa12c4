using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using MicoPortal.Server.Providers;
using MicoPortal.Shared.Incidents;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace MicoPortal.Server.Alerts;

/// <summary>
/// Posts each alert as generic JSON (<see cref="WebhookAlert"/>) to <c>Alerts:Webhook:Url</c>, signed the way
/// provider callbacks are (<see cref="CallbackSignature"/>): <c>X-MicoPortal-Timestamp</c> (unix seconds) and
/// <c>X-MicoPortal-Signature: v1=hex(HMAC-SHA256(secret, "{timestamp}.{rawBody}"))</c>, so the receiver can
/// check the body is ours and fresh. Anything but a 2xx answer throws.
/// </summary>
public sealed class WebhookAlertChannel(IHttpClientFactory httpFactory, IOptions<AlertOptions> options, TimeProvider time) : IAlertChannel
{
    public const string ChannelName = "Webhook";
    public const string HttpClientName = "alerts-webhook";
    public const string TimestampHeader = "X-MicoPortal-Timestamp";
    public const string SignatureHeader = "X-MicoPortal-Signature";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public string Name => ChannelName;

    public async Task SendAsync(IncidentAlert alert, CancellationToken cancellationToken)
    {
        var settings = options.Value.Webhook;
        var now = time.GetUtcNow();
        var body = JsonSerializer.SerializeToUtf8Bytes(new WebhookAlert(alert.EventType, alert.Title, alert.Incident, now), Json);
        var timestamp = now.ToUnixTimeSeconds();

        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(SignatureHeader, CallbackSignature.Sign(settings.Secret!, timestamp, body));

        try
        {
            // Cut at Alerts:Webhook:TimeoutSeconds by the client's pipeline (AlertExtensions); the body is not read, so the
            // headers are the whole answer and nothing is waited for after the pipeline.
            using var response = await httpFactory.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"The alert webhook answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
            }
        }
        catch (TimeoutRejectedException ex)
        {
            throw new TimeoutException($"The alert webhook did not answer within {ex.Timeout.TotalSeconds:0.###} s.", ex);
        }
    }
}

/// <summary>The webhook's body: <c>{type: "incident.opened", title, incident, sentAt}</c>, camelCase, enums by name.</summary>
public sealed record WebhookAlert(string Type, string Title, IncidentDto Incident, DateTimeOffset SentAt);
