namespace MicoPortal.Server.Webhooks;

/// <summary>
/// A shop's webhook endpoint (docs/api.md section 9). The signing secret must be readable to sign with, so it is
/// kept encrypted with the portal's data protection keys (<c>DataProtection:KeysDirectory</c>), never in clear.
/// </summary>
public sealed class ShopWebhook
{
    public const int MaxUrl = 1000;

    /// <summary>The shop's name, as on its API keys.</summary>
    public required string Shop { get; set; }
    public required string Url { get; set; }
    public required string ProtectedSecret { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}
