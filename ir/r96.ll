; Layer 3 resonance kernels: r96(b) = b % 96, target-free, typed pointers, explicit vector IR, stack-free leaves.
; Branch-free class: y = umin(x, x − 96) subtracts 96 exactly when x >= 96 (otherwise x − 96 wraps above x);
; applying it twice maps 0..255 onto 0..95. That is two (sub, unsigned min) pairs per vector: psubb/pminub on x86,
; i8x16.sub/i8x16.min_u on wasm.
;
; RUN: opt -O3 %s | llc -O3 -mtriple=x86_64-unknown-linux-gnu -mcpu=x86-64 | FileCheck-14 %s --check-prefix=X64
; RUN: opt -O3 %s | llc -O3 -mtriple=x86_64-unknown-linux-gnu -mcpu=x86-64-v3 | FileCheck-14 %s --check-prefix=AVX2
; RUN: opt -O3 -mattr=+simd128,+atomics,+bulk-memory %s | llc -O3 -march=wasm32 -mattr=+simd128,+atomics,+bulk-memory | FileCheck-14 %s --check-prefix=WASM

declare <32 x i8> @llvm.umin.v32i8(<32 x i8>, <32 x i8>)
declare i8 @llvm.umin.i8(i8, i8)

define internal <32 x i8> @class32(<32 x i8> %x) alwaysinline {
  %x1 = sub <32 x i8> %x, <i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96>
  %y = call <32 x i8> @llvm.umin.v32i8(<32 x i8> %x, <32 x i8> %x1)
  %y1 = sub <32 x i8> %y, <i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96>
  %z = call <32 x i8> @llvm.umin.v32i8(<32 x i8> %y, <32 x i8> %y1)
  ret <32 x i8> %z
}

define internal i8 @class1(i8 %x) alwaysinline {
  %x1 = sub i8 %x, 96
  %y = call i8 @llvm.umin.i8(i8 %x, i8 %x1)
  %y1 = sub i8 %y, 96
  %z = call i8 @llvm.umin.i8(i8 %y, i8 %y1)
  ret i8 %z
}

; Classifies len bytes: 32 per vector step, then a scalar tail.
define internal void @classify(i8* nocapture readonly %in, i8* nocapture %out, i32 %len) alwaysinline {
entry:
  %vecbytes = and i32 %len, -32
  %any.vec = icmp ne i32 %vecbytes, 0
  br i1 %any.vec, label %vloop, label %tail.head

vloop:
  %i = phi i32 [ 0, %entry ], [ %i.next, %vloop ]
  %src = getelementptr inbounds i8, i8* %in, i32 %i
  %dst = getelementptr inbounds i8, i8* %out, i32 %i
  %srcv = bitcast i8* %src to <32 x i8>*
  %dstv = bitcast i8* %dst to <32 x i8>*
  %x = load <32 x i8>, <32 x i8>* %srcv, align 1
  %c = call <32 x i8> @class32(<32 x i8> %x)
  store <32 x i8> %c, <32 x i8>* %dstv, align 1
  %i.next = add nuw nsw i32 %i, 32
  %v.done = icmp eq i32 %i.next, %vecbytes
  br i1 %v.done, label %tail.head, label %vloop

tail.head:
  %has.tail = icmp ult i32 %vecbytes, %len
  br i1 %has.tail, label %tail, label %exit

tail:
  %k = phi i32 [ %vecbytes, %tail.head ], [ %k.next, %tail ]
  %tsrc = getelementptr inbounds i8, i8* %in, i32 %k
  %tdst = getelementptr inbounds i8, i8* %out, i32 %k
  %b = load i8, i8* %tsrc, align 1
  %bc = call i8 @class1(i8 %b)
  store i8 %bc, i8* %tdst, align 1
  %k.next = add nuw nsw i32 %k, 1
  %t.done = icmp eq i32 %k.next, %len
  br i1 %t.done, label %exit, label %tail

exit:
  ret void
}

; X64-LABEL: ak_r96_classify:
; X64: paddb
; X64: pminub
; AVX2-LABEL: ak_r96_classify:
; AVX2: vpminub {{.*}}ymm
; WASM-LABEL: ak_r96_classify:
; WASM: v128.load
; WASM: i8x16.min_u
; WASM: v128.store
define void @ak_r96_classify(i8* nocapture readonly %in, i8* nocapture %out, i32 %len) {
  call void @classify(i8* %in, i8* %out, i32 %len)
  ret void
}

; X64-LABEL: ak_r96_classify_page:
; X64: pminub
; AVX2-LABEL: ak_r96_classify_page:
; AVX2: vpminub {{.*}}ymm
; WASM-LABEL: ak_r96_classify_page:
; WASM: i8x16.min_u
define void @ak_r96_classify_page(i8* nocapture readonly %in, i8* nocapture %out) {
  call void @classify(i8* %in, i8* %out, i32 256)
  ret void
}

; One page: zero 96 u16 counters (a vector store loop; wasm lowers it to memory.fill), then count each byte's class.
define internal void @histogram(i8* nocapture readonly %in, i16* nocapture %out) alwaysinline {
entry:
  %o = bitcast i16* %out to <8 x i16>*
  br label %zero

zero:
  %z = phi i32 [ 0, %entry ], [ %z.next, %zero ]
  %zp = getelementptr inbounds <8 x i16>, <8 x i16>* %o, i32 %z
  store <8 x i16> zeroinitializer, <8 x i16>* %zp, align 2
  %z.next = add nuw nsw i32 %z, 1
  %z.done = icmp eq i32 %z.next, 12
  br i1 %z.done, label %count, label %zero

count:
  %i = phi i32 [ 0, %zero ], [ %i.next, %count ]
  %bp = getelementptr inbounds i8, i8* %in, i32 %i
  %b = load i8, i8* %bp, align 1
  %c = call i8 @class1(i8 %b)
  %ci = zext i8 %c to i32
  %hp = getelementptr inbounds i16, i16* %out, i32 %ci
  %h = load i16, i16* %hp, align 2
  %h1 = add i16 %h, 1
  store i16 %h1, i16* %hp, align 2
  %i.next = add nuw nsw i32 %i, 1
  %c.done = icmp eq i32 %i.next, 256
  br i1 %c.done, label %exit, label %count

exit:
  ret void
}

; X64-LABEL: ak_r96_histogram_page:
; X64: movups
; WASM-LABEL: ak_r96_histogram_page:
; WASM: memory.fill
; WASM: i32.load16_u
define void @ak_r96_histogram_page(i8* nocapture readonly %in, i16* nocapture %out) {
  call void @histogram(i8* %in, i16* %out)
  ret void
}

; Histogram of each whole page: page p's 96 counters at out[96p ..].
; X64-LABEL: ak_r96_histogram_pages:
; X64: movups
; WASM-LABEL: ak_r96_histogram_pages:
; WASM: memory.fill
define void @ak_r96_histogram_pages(i8* nocapture readonly %in, i16* nocapture %out, i32 %pages) {
entry:
  %none = icmp eq i32 %pages, 0
  br i1 %none, label %exit, label %loop

loop:
  %p = phi i32 [ 0, %entry ], [ %p.next, %loop ]
  %inoff = shl nuw nsw i32 %p, 8
  %outoff = mul nuw nsw i32 %p, 96
  %pin = getelementptr inbounds i8, i8* %in, i32 %inoff
  %pout = getelementptr inbounds i16, i16* %out, i32 %outoff
  call void @histogram(i8* %pin, i16* %pout)
  %p.next = add nuw nsw i32 %p, 1
  %done = icmp eq i32 %p.next, %pages
  br i1 %done, label %exit, label %loop

exit:
  ret void
}

; (r1 + r2) % 96 == 0 for classes already checked to be in 0..95.
; X64-LABEL: ak_r96_harmonizes:
; WASM-LABEL: ak_r96_harmonizes:
; WASM: i32.rem_u
define i32 @ak_r96_harmonizes(i32 %r1, i32 %r2) {
  %s = add i32 %r1, %r2
  %m = urem i32 %s, 96
  %ok = icmp eq i32 %m, 0
  %ok32 = zext i1 %ok to i32
  ret i32 %ok32
}
