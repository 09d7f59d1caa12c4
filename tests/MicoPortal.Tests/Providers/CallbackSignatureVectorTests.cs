using System.Text;
using MicoPortal.Server.Providers;
using MicoPortal.Tests.Infrastructure;

namespace MicoPortal.Tests.Providers;

/// <summary>
/// Fixed vectors for the callback signature of docs/api.md section 4, computed outside this code base
/// (Python's <c>hmac</c> and <c>openssl dgst -sha256 -hmac</c> agree on them):
/// <c>v1=</c> + lowercase hex of HMAC-SHA256(secret, "{timestamp}.{rawBody}") over the raw UTF-8 bytes.
/// Tests that sign with the production code on both sides cannot notice a change both sides share.
/// </summary>
public class CallbackSignatureVectorTests
{
    public const string ContractBody =
        """{"eventId":"evt-0001","type":"order.updated","order":{"clientRef":"42-1","providerRef":"SBX-42","status":"SUCCESS","proof":{"serial":"SN-42","deliveredQuantity":500,"deliveredAt":"2026-01-01T00:00:00Z"},"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z","version":3}}""";

    public static TheoryData<string, long, string, string> Vectors => new()
    {
        { "dev-callback-secret", 1767225600, ContractBody, "v1=3c1c4f02515a5920b0749201e0d6d9d0696d64a736cb395c37491ba9b814c34c" },
        // Non-ASCII: the MAC is over the raw UTF-8 bytes, not over characters.
        { "it-callback-secret", 1700000000, """{"eventId":"évt-ü","note":"ünïcødé ✓"}""", "v1=a946d08021b56d0cf67b287a6397d5a474b547397379801987a4f6b028e7a92c" },
        // An empty body still signs "{timestamp}.".
        { "s", 0, "", "v1=2572e102ebbc88d57bc0ef48471ee28bb7fc8c6e9c0558b3c8e5d276f84ac9c3" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void The_portal_signs_and_verifies_the_fixed_vectors(string secret, long timestamp, string body, string signature)
    {
        var raw = Encoding.UTF8.GetBytes(body);

        Assert.Equal(signature, CallbackSignature.Sign(secret, timestamp, raw));
        Assert.True(CallbackSignature.Verify(secret, timestamp, raw, signature));
        Assert.False(CallbackSignature.Verify(secret, timestamp + 1, raw, signature));
        Assert.False(CallbackSignature.Verify(secret + "x", timestamp, raw, signature));
        Assert.False(CallbackSignature.Verify(secret, timestamp, raw, signature[..^1] + (signature[^1] == '0' ? '1' : '0')));
        Assert.False(CallbackSignature.Verify(secret, timestamp, raw, signature[3..])); // the "v1=" scheme is required
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void The_tests_own_signer_matches_the_fixed_vectors(string secret, long timestamp, string body, string signature) =>
        Assert.Equal(signature, ContractSignature.V1(secret, timestamp, Encoding.UTF8.GetBytes(body)));
}
