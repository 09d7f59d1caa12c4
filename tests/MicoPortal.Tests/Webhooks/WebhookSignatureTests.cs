using System.Text;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Webhooks;
using MicoPortal.Shared.Webhooks;
using MicoPortal.Tests.Infrastructure;

namespace MicoPortal.Tests.Webhooks;

/// <summary>
/// The webhook signature of docs/api.md section 9, <c>v1=hex(HMAC-SHA256(secret, "{timestamp}.{rawBody}"))</c>, pinned to
/// vectors computed outside .NET, e.g. <c>printf '%s' '1767225600.{"a":1}' | openssl dgst -sha256 -hmac secret</c>.
/// </summary>
public class WebhookSignatureTests
{
    public static TheoryData<string, long, string, string> Vectors() => new()
    {
        { "secret", 1767225600, """{"a":1}""", "v1=96a067a1c95eb143fc00b9097bcfcbcd5456adda508c443ff219748e764dbed7" },
        { "secret", 1767225601, """{"a":1}""", "v1=c38213d4deb74f487e4a2dfd8de071a4bd2ef1c96ced7f2843f5a3b445266ad3" },
        {
            "whsec_0123456789abcdef", 1767225600,
            """{"eventId":"3f2c0a4e-0000-4000-8000-000000000001","type":"order.delivered","order":{"id":42,"status":"Delivered"},"sentAt":"2026-01-01T00:00:00+00:00"}""",
            "v1=2b9967e231b2f57ab305f64744a1da120bef9bc8f9de4d654a2a009fd0a94f6c"
        },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void The_portal_signs_webhooks_as_the_contract_says(string secret, long timestamp, string body, string expected)
    {
        var raw = Encoding.UTF8.GetBytes(body);
        Assert.Equal(expected, CallbackSignature.Sign(secret, timestamp, raw));
        Assert.Equal(expected, ContractSignature.V1(secret, timestamp, raw)); // the tests' own receiver checks the same way
        Assert.True(CallbackSignature.Verify(secret, timestamp, raw, expected));
        Assert.False(CallbackSignature.Verify(secret, timestamp + 1, raw, expected));
        Assert.False(CallbackSignature.Verify(secret + "x", timestamp, raw, expected));
    }

    [Fact]
    public void The_body_is_the_envelope_with_the_stored_order_written_as_it_was()
    {
        var delivery = new WebhookDelivery
        {
            EventId = "3f2c0a4e-0000-4000-8000-000000000001",
            Shop = "s",
            OrderId = 42,
            Type = WebhookEventTypes.OrderDelivered,
            OrderJson = """{"id":42,"status":"Delivered"}""",
        };

        var body = Encoding.UTF8.GetString(WebhookSender.Body(delivery, DateTimeOffset.FromUnixTimeSeconds(1767225600)));

        Assert.Equal("""{"eventId":"3f2c0a4e-0000-4000-8000-000000000001","type":"order.delivered","order":{"id":42,"status":"Delivered"},"sentAt":"2026-01-01T00:00:00+00:00"}""", body);
        // The third vector above is this very body: what the portal sends is what the shop can verify.
        Assert.Equal("v1=2b9967e231b2f57ab305f64744a1da120bef9bc8f9de4d654a2a009fd0a94f6c", CallbackSignature.Sign("whsec_0123456789abcdef", 1767225600, Encoding.UTF8.GetBytes(body)));
    }
}
