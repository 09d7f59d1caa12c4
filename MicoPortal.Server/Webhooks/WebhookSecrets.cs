using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace MicoPortal.Server.Webhooks;

/// <summary>
/// A shop's signing secret: made here, shown once, kept encrypted with the portal's data protection keys. Lost
/// keys (a new container without <c>DataProtection:KeysDirectory</c>) make every stored secret unreadable:
/// <see cref="TryReveal"/> says so instead of signing with anything else, and an admin sets the webhook again.
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider dataProtection)
{
    public const string Purpose = "MicoPortal.ShopWebhookSecret";

    private readonly IDataProtector _protector = dataProtection.CreateProtector(Purpose);

    /// <summary>32 random bytes, base64url, with a prefix that tells a reader what it is.</summary>
    public static string New() => "whsec_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    public string Protect(string secret) => _protector.Protect(secret);

    public bool TryReveal(ShopWebhook webhook, out string secret)
    {
        try
        {
            secret = _protector.Unprotect(webhook.ProtectedSecret);
            return true;
        }
        catch (CryptographicException)
        {
            secret = "";
            return false;
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
