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
/// Twilio has no idempotency key for sending, so a try whose answer was lost (a timeout after Twilio took
/// the message) is looked up before the message goes again (<see cref="FindSentAsync"/>): Twilio's
/// Messages list for the recipient (and sender), newest first, matched on the exact body and a creation
/// time no earlier than the notification's. The sender saves each try before it leaves, so this covers a
/// crash mid-send too. What is left: two notifications with the same text to the same number in one
/// window count as one (the customer has that text).
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

    /// <summary>Pages of the Messages list read at most (50 each): a customer gets a few messages a day.</summary>
    public const int MaxLookupPages = 5;

    /// <summary>Twilio's clock against ours: messages created this much before the notification still count.</summary>
    public static readonly TimeSpan ClockSlack = TimeSpan.FromMinutes(1);

    private static readonly HashSet<string> NotSent = new(StringComparer.OrdinalIgnoreCase) { "failed", "canceled" };

    public async Task<SmsReceipt?> FindSentAsync(SmsMessage message, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var twilio = options.Value.Twilio;
        var baseUrl = twilio.BaseUrl.TrimEnd('/');
        // No DateSent filter: a message Twilio has taken but not yet sent (queued, accepted) has no date_sent.
        var query = $"To={Uri.EscapeDataString(message.To)}&PageSize=50"
            + (string.IsNullOrWhiteSpace(twilio.MessagingServiceSid) && !string.IsNullOrWhiteSpace(twilio.From) ? $"&From={Uri.EscapeDataString(twilio.From)}" : "");
        var next = $"/2010-04-01/Accounts/{Uri.EscapeDataString(twilio.AccountSid!)}/Messages.json?{query}";
        var from = since - ClockSlack;
        for (var page = 0; page < MaxLookupPages && next is not null; page++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl + next);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{twilio.AccountSid}:{twilio.AuthToken}")));
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new SmsGatewayException($"Twilio's message list answered {(int)response.StatusCode}: {ReadString(body, "message") ?? response.ReasonPhrase}", permanent: false,
                    response.StatusCode == HttpStatusCode.TooManyRequests ? response.Headers.RetryAfter?.Delta : null);
            }

            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in messages.EnumerateArray())
                {
                    // Skipped, not a reason to stop: Twilio orders the list by date sent, and a message it has only
                    // queued has none yet, so an older message can come before the one we look for.
                    if (Created(item) is { } at && at < from)
                    {
                        continue;
                    }

                    if (Text(item, "body") == message.Text && Text(item, "sid") is { } sid && !NotSent.Contains(Text(item, "status") ?? ""))
                    {
                        return new SmsReceipt(sid);
                    }
                }
            }

            next = Text(doc.RootElement, "next_page_uri");
        }

        return null;
    }

    /// <summary>Twilio's <c>date_created</c>, RFC 2822 (<c>Mon, 01 Dec 2026 09:00:00 +0000</c>); null when unreadable (then it counts as recent).</summary>
    private static DateTimeOffset? Created(JsonElement item)
    {
        var value = Text(item, "date_created");
        if (value is null || value.Length < 6)
        {
            return null;
        }

        // "+0000" → "+00:00", the offset form .NET parses.
        var text = value[^5] is '+' or '-' ? value[..^2] + ":" + value[^2..] : value;
        return DateTimeOffset.TryParseExact(text, "ddd, dd MMM yyyy HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at)
            ? at
            : null;
    }

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

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
