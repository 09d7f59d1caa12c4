using System.Security.Cryptography;
using System.Text;

namespace MicoPortal.Server.Providers;

/// <summary>
/// The callback signature of docs/api.md section 4:
/// <c>v1=hex(HMAC-SHA256(secret, "{timestamp}.{rawBody}"))</c>. Used by the sandbox to sign and by
/// the callbacks endpoint to verify, so both sides can never drift apart.
/// </summary>
public static class CallbackSignature
{
    private const string Prefix = "v1=";

    public static string Sign(string secret, long unixTimestamp, ReadOnlySpan<byte> rawBody)
    {
        var mac = Compute(secret, unixTimestamp, rawBody);
        return Prefix + Convert.ToHexStringLower(mac);
    }

    /// <summary>Constant-time check of a <c>v1=</c> header value against the raw body.</summary>
    public static bool Verify(string secret, long unixTimestamp, ReadOnlySpan<byte> rawBody, string? header)
    {
        if (string.IsNullOrEmpty(header) || !header.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        byte[] presented;
        try
        {
            presented = Convert.FromHexString(header.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return false;
        }

        var expected = Compute(secret, unixTimestamp, rawBody);
        return CryptographicOperations.FixedTimeEquals(expected, presented);
    }

    private static byte[] Compute(string secret, long unixTimestamp, ReadOnlySpan<byte> rawBody)
    {
        var prefix = Encoding.UTF8.GetBytes(unixTimestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(prefix);
        hmac.AppendData(rawBody);
        return hmac.GetHashAndReset();
    }
}
