namespace MicoPortal.Server.Auth;

/// <summary>Section <c>Shop</c>: API keys of the shops allowed to place orders. Development keys live only in development configuration.</summary>
public sealed class ShopApiKeyOptions
{
    public const string Section = "Shop";

    public List<ShopApiKey> ApiKeys { get; set; } = [];
}

public sealed class ShopApiKey
{
    public string Name { get; set; } = "";

    public string Key { get; set; } = "";
}
