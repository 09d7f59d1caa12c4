using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using MicoPortal.Server.Notifications;
using MicoPortal.Shared.Notifications;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Notifications;

/// <summary>
/// Issue 15 item 8: Twilio has no idempotency key, so a send whose answer was lost (Twilio took the
/// message, the portal timed out) must be looked up before it is sent again.
/// </summary>
public sealed class TwilioDuplicateTests(ITestOutputHelper output) : OutboxTests(output)
{
    [Fact]
    public async Task A_send_that_timed_out_after_Twilio_took_it_is_found_on_retry_and_not_sent_again()
    {
        var twilio = new FakeTwilio(Time) { DropFirstAnswers = 1 };
        var sender = Sender(twilio);
        var id = await AddPendingAsync("+971501234567", "Your 500 MICO coins for account 12345610 have arrived (order t-1).");

        await sender.SendOnceAsync(CancellationToken.None);
        var afterTimeout = await ReadAsync(id);
        Assert.Equal(NotificationStatus.Pending, afterTimeout.Status);
        Assert.Single(twilio.Messages);

        Time.Advance(TimeSpan.FromSeconds(5));
        await sender.SendOnceAsync(CancellationToken.None);

        var sent = await ReadAsync(id);
        Assert.Equal(NotificationStatus.Sent, sent.Status);
        Assert.Equal(twilio.Messages.Single().Sid, sent.GatewayMessageId);
        Assert.Equal(1, twilio.Creates);
        Assert.Single(twilio.Messages);
    }

    [Fact]
    public async Task A_retry_sends_when_Twilio_has_no_such_message()
    {
        // Another message to the same number (an older notification) must not pass for this one.
        var twilio = new FakeTwilio(Time) { FailFirstCreates = 1 };
        twilio.Messages.Enqueue(new FakeTwilio.Message("SMold", "+971501234567", "+15005550006", "Your 100 MICO coins for account 12345610 have arrived (order t-0).", Start.AddMinutes(-1), "delivered"));
        var sender = Sender(twilio);
        var id = await AddPendingAsync("+971501234567", "Your 500 MICO coins for account 12345610 have arrived (order t-1).");

        await sender.SendOnceAsync(CancellationToken.None);
        Time.Advance(TimeSpan.FromSeconds(5));
        await sender.SendOnceAsync(CancellationToken.None);

        var sent = await ReadAsync(id);
        Assert.Equal(NotificationStatus.Sent, sent.Status);
        Assert.Equal(2, twilio.Messages.Count);
        Assert.NotEqual("SMold", sent.GatewayMessageId);
    }

    private NotificationSender Sender(FakeTwilio twilio)
    {
        var options = Options.Create(new NotificationOptions
        {
            Gateway = SmsGatewayKind.Twilio,
            Twilio = new TwilioOptions { BaseUrl = "https://twilio.test", AccountSid = "AC1", AuthToken = "token", From = "+15005550006" },
        });
        return CreateSender(new TwilioSmsGateway(new HttpClient(twilio), options), options);
    }

    /// <summary>
    /// Twilio's Messages resource as far as the portal uses it: create (form post) and list (To/From
    /// filters, newest first, RFC 2822 dates, pages). It can take a message and then lose the answer, as a
    /// timeout after Twilio's commit does.
    /// </summary>
    private sealed class FakeTwilio(TimeProvider time) : HttpMessageHandler
    {
        public sealed record Message(string Sid, string To, string From, string Body, DateTimeOffset DateCreated, string Status);

        private int _creates;

        public ConcurrentQueue<Message> Messages { get; } = new();

        /// <summary>Create calls that stored a message.</summary>
        public int Creates => Volatile.Read(ref _creates);

        /// <summary>The first this many creates store the message and then time out instead of answering.</summary>
        public int DropFirstAnswers { get; init; }

        /// <summary>The first this many creates fail (connection reset) without storing anything.</summary>
        public int FailFirstCreates { get; init; }

        private int _createCalls;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (!path.EndsWith("/Messages.json", StringComparison.Ordinal))
            {
                return new HttpResponseMessage(HttpStatusCode.NotFound);
            }

            if (request.Method == HttpMethod.Post)
            {
                var call = Interlocked.Increment(ref _createCalls);
                if (call <= FailFirstCreates)
                {
                    throw new HttpRequestException("connection reset");
                }

                var form = (await request.Content!.ReadAsStringAsync(cancellationToken)).Split('&')
                    .Select(p => p.Split('=')).ToDictionary(p => WebUtility.UrlDecode(p[0]), p => WebUtility.UrlDecode(p[1]));
                var message = new Message($"SM{Guid.NewGuid():N}", form["To"], form.GetValueOrDefault("From") ?? "", form["Body"], time.GetUtcNow(), "queued");
                Messages.Enqueue(message);
                Interlocked.Increment(ref _creates);
                if (call <= FailFirstCreates + DropFirstAnswers)
                {
                    throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout", new TimeoutException());
                }

                return Json(HttpStatusCode.Created, ToJson(message));
            }

            var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri.Query);
            var page = int.Parse(query["Page"] ?? "0", CultureInfo.InvariantCulture);
            var size = int.Parse(query["PageSize"] ?? "50", CultureInfo.InvariantCulture);
            var matching = Messages.Where(m => (query["To"] is not { } to || m.To == to) && (query["From"] is not { } from || m.From == from))
                .OrderByDescending(m => m.DateCreated).ToList();
            var items = matching.Skip(page * size).Take(size).Select(ToJson).ToList();
            var next = (page + 1) * size < matching.Count
                ? $"{request.RequestUri.AbsolutePath}?To={Uri.EscapeDataString(query["To"] ?? "")}&PageSize={size}&Page={page + 1}"
                : null;
            return Json(HttpStatusCode.OK, new Dictionary<string, object?> { ["messages"] = items, ["next_page_uri"] = next, ["page"] = page, ["page_size"] = size });
        }

        private static Dictionary<string, object?> ToJson(Message m) => new()
        {
            ["sid"] = m.Sid,
            ["to"] = m.To,
            ["from"] = m.From,
            ["body"] = m.Body,
            ["status"] = m.Status,
            ["date_created"] = m.DateCreated.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture),
            ["date_sent"] = null,
        };

        private static HttpResponseMessage Json(HttpStatusCode status, object body) =>
            new(status) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
    }
}
