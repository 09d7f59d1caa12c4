using System.Security.Cryptography;
using System.Text;

namespace MicoPortal.Tests.Infrastructure;

/// <summary>
/// The callback signature written again from its definition in docs/api.md section 4
/// (<c>v1=</c> + lowercase hex of HMAC-SHA256(secret, "{timestamp}.{rawBody}")), without the production
/// <c>CallbackSignature</c>, so tests that sign or check with it notice when the portal and the sandbox drift
/// together. Pinned to fixed vectors computed outside .NET in <c>CallbackSignatureVectorTests</c>.
/// </summary>
public static class ContractSignature
{
    public static string V1(string secret, long unixTimestamp, byte[] rawBody)
    {
        var signed = Encoding.UTF8.GetBytes($"{unixTimestamp}.").Concat(rawBody).ToArray();
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }
}
