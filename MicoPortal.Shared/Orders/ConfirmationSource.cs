using System.Text.Json.Serialization;

namespace MicoPortal.Shared.Orders;

/// <summary>An independent source that said the order was delivered.</summary>
public enum ConfirmationSource
{
    /// <summary>A status query to the provider said success.</summary>
    [JsonStringEnumMemberName("api")] Api,
    /// <summary>A signed callback from the provider said success.</summary>
    [JsonStringEnumMemberName("callback")] Callback,
    /// <summary>The provider's transaction log lists the order as delivered.</summary>
    [JsonStringEnumMemberName("ledger")] Ledger,
    /// <summary>A person settled the order as delivered, with a reason and evidence (docs/api.md section 10).</summary>
    [JsonStringEnumMemberName("manual")] Manual,
}
