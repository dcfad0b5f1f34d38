/// Two sets of thresholds are the same when every threshold is: a configuration read back from its
/// printed default must be exactly the built-in one. Written out because the liquidation windows
/// are tuples, which cannot synthesise it.
extension SignalThresholds: Equatable {
    public static func == (lhs: SignalThresholds, rhs: SignalThresholds) -> Bool {
        lhs.spreadWarnMultiple == rhs.spreadWarnMultiple && lhs.spreadAlertMultiple == rhs.spreadAlertMultiple
            && lhs.spreadFloorBps == rhs.spreadFloorBps && lhs.spreadFloorTicks == rhs.spreadFloorTicks
            && lhs.depthWarnFraction == rhs.depthWarnFraction && lhs.depthAlertFraction == rhs.depthAlertFraction
            && lhs.spreadVsDepthWarn == rhs.spreadVsDepthWarn && lhs.spreadVsDepthAlert == rhs.spreadVsDepthAlert
            && lhs.drainWarnRatio == rhs.drainWarnRatio && lhs.drainAlertRatio == rhs.drainAlertRatio
            && lhs.drainWindowSeconds == rhs.drainWindowSeconds && lhs.seriesSeconds == rhs.seriesSeconds
            && lhs.liquidations10sWarn == rhs.liquidations10sWarn && lhs.liquidations10sAlert == rhs.liquidations10sAlert
            && lhs.liquidations60sWarn == rhs.liquidations60sWarn && lhs.liquidations60sAlert == rhs.liquidations60sAlert
            && lhs.stressedWarnFraction == rhs.stressedWarnFraction && lhs.stressedAlertFraction == rhs.stressedAlertFraction
            && lhs.stressedBookShareWarn == rhs.stressedBookShareWarn
            && lhs.baselineSamples == rhs.baselineSamples && lhs.warmupSamples == rhs.warmupSamples
            && lhs.historyLength == rhs.historyLength
    }
}
