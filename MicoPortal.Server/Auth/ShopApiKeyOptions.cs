namespace MicoPortal.Server.Auth;

/// <summary>
/// Section <c>Shop</c>: API keys given by configuration (environment or secret store), beside the keys
/// admins create in the portal. Development keys live only in development configuration.
/// </summary>
public sealed class ShopApiKeyOptions
{
    public const string Section = "Shop";

    public List<ConfiguredShopApiKey> ApiKeys { get; set; } = [];
}

/// <summary>A configured key; <see cref="Name"/> is the shop whose orders it places and sees.</summary>
public sealed class ConfiguredShopApiKey
{
    public string Name { get; set; } = "";

    public string Key { get; set; } = "";
}
