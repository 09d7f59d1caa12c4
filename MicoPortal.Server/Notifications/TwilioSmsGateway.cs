using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Notifications;

/// <summary>
/// Twilio's Messages API (<c>POST /2010-04-01/Accounts/{sid}/Messages.json</c>, form-encoded, Basic
/// auth with the account sid and auth token). Written against the REST API instead of the Twilio SDK:
/// one call, and the HttpClient comes from the factory with the portal's timeouts and logging.
/// Twilio has no idempotency key for sending; a crash between its answer and our save can repeat a
/// message once (the sender keeps that window to one call).
/// </summary>
public sealed class TwilioSmsGateway(HttpClient http, IOptions<NotificationOptions> options) : ISmsGateway
{
    public const string HttpClientName = "twilio";

    public string Name => "twilio";

    public async Task<SmsReceipt> SendAsync(SmsMessage message, CancellationToken cancellationToken)
    {
        var twilio = options.Value.Twilio;
        var form = new List<KeyValuePair<string, string>> { new("To", message.To), new("Body", message.Text) };
        form.Add(string.IsNullOrWhiteSpace(twilio.MessagingServiceSid)
            ? new("From", twilio.From!)
            : new("MessagingServiceSid", twilio.MessagingServiceSid));

        using var request = new HttpRequestMessage(HttpMethod.Post,
            $"{twilio.BaseUrl.TrimEnd('/')}/2010-04-01/Accounts/{Uri.EscapeDataString(twilio.AccountSid!)}/Messages.json")
        {
            Content = new FormUrlEncodedContent(form),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{twilio.AccountSid}:{twilio.AuthToken}")));

        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return new SmsReceipt(ReadString(body, "sid") ?? throw new SmsGatewayException("Twilio accepted the message but answered no sid.", permanent: false));
        }

        var detail = $"Twilio answered {(int)response.StatusCode}: {ReadString(body, "message") ?? response.ReasonPhrase}";
        // 400 is Twilio's refusal of this message (invalid or unreachable number, blocked): trying again cannot help.
        // 401/403 are our configuration, 429 and 5xx are Twilio's load: those wait and try again.
        throw response.StatusCode switch
        {
            HttpStatusCode.BadRequest => new SmsGatewayException(detail, permanent: true),
            HttpStatusCode.TooManyRequests => new SmsGatewayException(detail, permanent: false, response.Headers.RetryAfter?.Delta),
            _ => new SmsGatewayException(detail, permanent: false),
        };
    }

    private static string? ReadString(string json, string property)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
