namespace MicoPortal.Server.Orders;

public static class OrderExtensions
{
    /// <summary>Taking orders from shops (the group-commit intake writer), reading them, and operators' actions on them.</summary>
    public static IServiceCollection AddOrders(this IServiceCollection services)
    {
        services.AddSingleton<OrderIntakeWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<OrderIntakeWriter>());
        services.AddSingleton<OrderIntake>();
        services.AddSingleton<OrderQueries>();
        services.AddSingleton<OrderActions>();
        return services;
    }
}
