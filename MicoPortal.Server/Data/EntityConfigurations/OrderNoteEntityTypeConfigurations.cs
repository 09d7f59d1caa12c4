using MicoPortal.Server.Orders;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MicoPortal.Server.Data.EntityConfigurations;

internal sealed class OrderNoteEntityTypeConfiguration : IEntityTypeConfiguration<OrderNote>
{
    public void Configure(EntityTypeBuilder<OrderNote> builder)
    {
        builder.ToTable("OrderNotes");
        builder.Property(n => n.Author).HasMaxLength(256);
        builder.Property(n => n.Text).HasMaxLength(OrderNote.MaxText);
        builder.HasIndex(n => n.OrderId);
        builder.HasOne<Order>().WithMany().HasForeignKey(n => n.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class OrderResolutionEntityTypeConfiguration : IEntityTypeConfiguration<OrderResolution>
{
    public void Configure(EntityTypeBuilder<OrderResolution> builder)
    {
        builder.ToTable("OrderResolutions");
        builder.Property(r => r.Outcome).HasMaxLength(16);
        builder.Property(r => r.Reason).HasMaxLength(OrderResolution.MaxReason);
        builder.Property(r => r.Evidence).HasMaxLength(OrderResolution.MaxEvidence);
        builder.Property(r => r.EvidenceFileName).HasMaxLength(255);
        builder.Property(r => r.EvidenceContentType).HasMaxLength(100);
        builder.Property(r => r.ResolvedBy).HasMaxLength(256);
        builder.HasIndex(r => r.OrderId);
        builder.HasOne<Order>().WithMany().HasForeignKey(r => r.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}
