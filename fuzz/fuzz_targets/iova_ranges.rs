//! VFIO_IOMMU_GET_INFO's reply with its capability chain, as the kernel (or
//! a hostile one) fills it: the parser ends and every range is ordered.
#![no_main]
use jsk::backend::vfio::parse_iova_ranges;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for (start, end) in parse_iova_ranges(data) {
        assert!(start <= end);
    }
});
