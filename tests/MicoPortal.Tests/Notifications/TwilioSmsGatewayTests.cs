using System.Net;
using System.Text;
using MicoPortal.Server.Notifications;
using Microsoft.Extensions.Options;

namespace MicoPortal.Tests.Notifications;

/// <summary>The Twilio adapter's request and how it reads Twilio's answers.</summary>
public sealed class TwilioSmsGatewayTests
{
    private static readonly SmsMessage Message = new("notification-7", "+971501234567", "Your 500 MICO coins have arrived.");

    [Fact]
    public async Task It_posts_the_message_form_with_basic_auth_to_the_accounts_messages_resource()
    {
        var handler = new RecordingHandler(HttpStatusCode.Created, """{"sid":"SM0123456789abcdef","status":"queued"}""");
        var gateway = Gateway(handler, new TwilioOptions { BaseUrl = "https://twilio.test/", AccountSid = "AC123", AuthToken = "secret-token", From = "+15005550006" });

        var receipt = await gateway.SendAsync(Message, CancellationToken.None);

        Assert.Equal("SM0123456789abcdef", receipt.MessageId);
        Assert.Equal(HttpMethod.Post, handler.Method);
        Assert.Equal("https://twilio.test/2010-04-01/Accounts/AC123/Messages.json", handler.Uri!.ToString());
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("AC123:secret-token")), handler.Authorization);
        var form = handler.Body!.Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => WebUtility.UrlDecode(p[1]));
        Assert.Equal("+971501234567", form["To"]);
        Assert.Equal("+15005550006", form["From"]);
        Assert.Equal(Message.Text, form["Body"]);
    }

    [Fact]
    public async Task A_messaging_service_replaces_the_sender_number()
    {
        var handler = new RecordingHandler(HttpStatusCode.Created, """{"sid":"SM1"}""");
        await Gateway(handler, new TwilioOptions { AccountSid = "AC1", AuthToken = "t", MessagingServiceSid = "MG42" }).SendAsync(Message, CancellationToken.None);

        Assert.Contains("MessagingServiceSid=MG42", handler.Body);
        Assert.DoesNotContain("From=", handler.Body);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, """{"code":21211,"message":"The 'To' number is not a valid phone number."}""", true, "not a valid phone number")]
    [InlineData(HttpStatusCode.Unauthorized, """{"code":20003,"message":"Authenticate"}""", false, "Authenticate")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "<html>down</html>", false, "503")]
    public async Task Refusals_say_whether_trying_again_can_help(HttpStatusCode status, string body, bool permanent, string detail)
    {
        var gateway = Gateway(new RecordingHandler(status, body), new TwilioOptions { AccountSid = "AC1", AuthToken = "t", From = "+1500" });

        var refusal = await Assert.ThrowsAsync<SmsGatewayException>(() => gateway.SendAsync(Message, CancellationToken.None));

        Assert.Equal(permanent, refusal.Permanent);
        Assert.Contains(detail, refusal.Message);
    }

    [Fact]
    public async Task Rate_limiting_carries_retry_after()
    {
        var handler = new RecordingHandler(HttpStatusCode.TooManyRequests, """{"message":"Too Many Requests"}""") { RetryAfter = TimeSpan.FromSeconds(30) };

        var refusal = await Assert.ThrowsAsync<SmsGatewayException>(() =>
            Gateway(handler, new TwilioOptions { AccountSid = "AC1", AuthToken = "t", From = "+1500" }).SendAsync(Message, CancellationToken.None));

        Assert.False(refusal.Permanent);
        Assert.Equal(TimeSpan.FromSeconds(30), refusal.RetryAfter);
    }

    [Fact]
    public void Twilio_without_credentials_is_refused_at_start_up()
    {
        var options = new NotificationOptions { Gateway = SmsGatewayKind.Twilio, Twilio = new TwilioOptions { AccountSid = "AC1" } };

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Contains(errors, e => e.ErrorMessage!.Contains("AuthToken"));
    }

    private static TwilioSmsGateway Gateway(RecordingHandler handler, TwilioOptions twilio) =>
        new(new HttpClient(handler), Options.Create(new NotificationOptions { Gateway = SmsGatewayKind.Twilio, Twilio = twilio }));

    private sealed class RecordingHandler(HttpStatusCode status, string body) : HttpMessageHandler
    {
        public HttpMethod? Method { get; private set; }
        public Uri? Uri { get; private set; }
        public string? Authorization { get; private set; }
        public string? Body { get; private set; }
        public TimeSpan? RetryAfter { get; init; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Method = request.Method;
            Uri = request.RequestUri;
            Authorization = request.Headers.Authorization?.ToString();
            Body = await request.Content!.ReadAsStringAsync(cancellationToken);
            var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (RetryAfter is { } delay)
            {
                response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(delay);
            }

            return response;
        }
    }
}
